import assert from "node:assert/strict";
import { parseSummaryValue, summaryKey, summaryValue } from "./turnstile_summary.ts";

Deno.test("summary records have the KSQL table's shape and read back", () => {
  assert.equal(summaryKey(40380), "40380");
  const value = summaryValue(40380, 7);
  assert.deepEqual(JSON.parse(value), { STATION_ID: 40380, COUNT: 7 });
  assert.deepEqual(parseSummaryValue(value), { STATION_ID: 40380, COUNT: 7 });
});

Deno.test("anything that is not a summary record reads back as null", () => {
  for (const bad of [null, "", "not json", "{}", '{"STATION_ID":"x","COUNT":1}', "[1,2]"]) {
    assert.equal(parseSummaryValue(bad), null, String(bad));
  }
});
