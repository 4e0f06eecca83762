import assert from "node:assert/strict";
import { parseStationRow, parseStopKey, type StationRow } from "./stations.ts";

function row(overrides: Partial<StationRow> = {}): StationRow {
  return {
    stop_id: 30374,
    station_id: 40380,
    station_name: "Clark/Lake",
    order: 16,
    red: false,
    blue: true,
    green: false,
    ...overrides,
  };
}

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
