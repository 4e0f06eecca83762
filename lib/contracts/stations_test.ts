import assert from "node:assert/strict";
import { parseStationRow, parseStopKey } from "./stations.ts";
import { sampleStationRow } from "./station_samples.ts";

const row = sampleStationRow;

Deno.test("a Connect row parses; broken rows get a reason; null is a deletion", () => {
  assert.deepEqual(parseStationRow(JSON.stringify({ ...row(), direction_id: "S" })), {
    row: row(),
  });
  assert.deepEqual(parseStationRow(null), { deleted: true });
  assert.deepEqual(parseStationRow("null"), { deleted: true });
  for (
    const bad of [
      "{",
      "[]",
      "42",
      JSON.stringify({ ...row(), station_id: "x" }),
      JSON.stringify({ ...row(), red: "t" }),
      JSON.stringify({ ...row(), station_name: "" }),
    ]
  ) {
    assert.ok("reason" in parseStationRow(bad), bad);
  }
  assert.equal(parseStopKey('{"stop_id":30374}'), 30374);
  assert.equal(parseStopKey("garbage"), null);
});
