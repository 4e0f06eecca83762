import assert from "node:assert/strict";
import {
  countEntries,
  type Counts,
  parseSummaryValue,
  stationOf,
  summaryKey,
  summaryValue,
} from "./turnstile_summary.ts";

Deno.test("counts one entry per event and reports each changed station once per batch", () => {
  const counts: Counts = new Map([[40380, 10]]);
  const changed = countEntries(counts, [40380, 40020, 40380, 40380]);
  assert.deepEqual([...changed], [[40380, 13], [40020, 1]]);
  assert.equal(counts.get(40380), 13);
  assert.equal(counts.get(40020), 1);
});

Deno.test("an empty batch changes nothing", () => {
  const counts: Counts = new Map([[40380, 10]]);
  assert.equal(countEntries(counts, []).size, 0);
  assert.equal(counts.get(40380), 10);
});

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

Deno.test("a turnstile value without a usable station_id is rejected with a reason", () => {
  assert.deepEqual(stationOf({ station_id: 40380, station_name: "Clark/Lake", line: "blue" }), {
    stationId: 40380,
  });
  for (const bad of [null, {}, { station_id: "40380" }, { station_id: 1.5 }, { station_id: -3 }]) {
    const result = stationOf(bad);
    assert.ok("reason" in result, JSON.stringify(bad));
  }
});
