import assert from "node:assert/strict";
import { transformedKey } from "../../lib/contracts/stations_transformed.ts";
import { changes, readStopRecord, StationIndex } from "./topology.ts";
import { projectStationRows, sampleStationRow } from "../../lib/contracts/station_samples.ts";

const row = sampleStationRow;

Deno.test("the project's data gives exactly the expected stations per line", () => {
  const index = new StationIndex();
  for (const row of projectStationRows()) index.apply(row.stop_id, row);
  const stations = [...index.all().values()];
  const perLine = (line: string) => stations.filter((s) => s.line === line).length;
  assert.equal(perLine("red"), 33);
  assert.equal(perLine("blue"), 33);
  assert.equal(perLine("green"), 28);
  // Stations on two lines keep one record per line, each with that line's order.
  const clarkLake = stations.filter((s) => s.station_id === 40380).map((s) => [s.line, s.order]);
  assert.deepEqual(clarkLake.sort(), [["blue", 16], ["green", 14]]);
  // The Blue Line's two Harlems stay apart.
  const harlems = stations.filter((s) => s.line === "blue" && s.station_name === "Harlem");
  assert.equal(new Set(harlems.map((s) => s.station_id)).size, 2);
  assert.ok(!stations.some((s) => s.station_name.includes("Ran Ryan")));
});

Deno.test("rows on none of the three lines produce nothing", () => {
  const index = new StationIndex();
  index.apply(30257, row({ stop_id: 30257, blue: false }));
  assert.equal(index.all().size, 0);
});

Deno.test("the record comes from the lowest stop id, whatever the arrival order", () => {
  const a = new StationIndex();
  const b = new StationIndex();
  const north = row({ stop_id: 30375, station_name: "Clark/Lake (north)" });
  const south = row({ stop_id: 30374 });
  a.apply(north.stop_id, north);
  a.apply(south.stop_id, south);
  b.apply(south.stop_id, south);
  b.apply(north.stop_id, north);
  assert.deepEqual([...a.all()], [...b.all()]);
  assert.equal(a.all().get(transformedKey(40380, "blue"))?.station_name, "Clark/Lake");
});

Deno.test("deleting the last stop of a station on a line emits a tombstone, not before", () => {
  const index = new StationIndex();
  index.apply(30374, row({ stop_id: 30374 }));
  index.apply(30375, row({ stop_id: 30375 }));
  let emitted = new Map(
    changes(new Map(), index.all()).map((r) => [r.key, r.value!] as [string, string]),
  );
  const key = transformedKey(40380, "blue");
  assert.deepEqual(index.update(emitted, 30374, null), []);
  const last = index.update(emitted, 30375, null);
  assert.deepEqual(last, [{ key, value: null }]);
  emitted = new Map();
  assert.deepEqual(changes(emitted, index.all()), []);
});

Deno.test("replaying the same rows produces no records; a renamed station produces one", () => {
  const index = new StationIndex();
  index.apply(30374, row());
  const first = changes(new Map(), index.all());
  assert.equal(first.length, 1);
  const emitted = new Map(first.map((r) => [r.key, r.value!] as [string, string]));
  assert.deepEqual(index.update(emitted, 30374, row()), []);
  const renamed = index.update(emitted, 30374, row({ station_name: "Clark & Lake" }));
  assert.equal(renamed.length, 1);
  assert.equal(JSON.parse(renamed[0].value!).station_name, "Clark & Lake");
});

Deno.test("a stop that moves to another line retracts the old line", () => {
  const index = new StationIndex();
  index.apply(30374, row());
  const emitted = new Map(
    changes(new Map(), index.all()).map((r) => [r.key, r.value!] as [string, string]),
  );
  const moved = index.update(emitted, 30374, row({ blue: false, green: true }));
  assert.deepEqual(moved.map((r) => [r.key, r.value === null]).sort(), [
    [transformedKey(40380, "blue"), true],
    [transformedKey(40380, "green"), false],
  ]);
});

/** Connect's records for the stations table in, the transformed records out, as the stage runs. */
function transform(records: [string | null, string | null][]) {
  const index = new StationIndex();
  const emitted = new Map<string, string>();
  const outputs: { key: string; value: string | null }[] = [];
  const deadLetters: string[] = [];
  for (const [key, value] of records) {
    const change = readStopRecord(key, value);
    if ("reason" in change) {
      deadLetters.push(change.reason);
      continue;
    }
    for (const record of index.update(emitted, change.stopId, change.row)) {
      outputs.push(record);
      if (record.value === null) emitted.delete(record.key);
      else emitted.set(record.key, record.value);
    }
  }
  return { outputs, deadLetters };
}

Deno.test("Connect records in, transformed records and dead letters out", () => {
  const clark = row({ stop_id: 30074, station_id: 40380, blue: true, green: false });
  const { outputs, deadLetters } = transform([
    ['{"stop_id": 30074}', JSON.stringify(clark)],
    ["not json", JSON.stringify(clark)],
    ['{"stop_id": 30075}', "{broken"],
    ['{"stop_id": 30074}', JSON.stringify(clark)],
    ['{"stop_id": 30074}', null],
  ]);
  const key = transformedKey(40380, "blue");
  assert.deepEqual(
    outputs.map((o) => [o.key, o.value === null ? null : JSON.parse(o.value).line]),
    [
      [key, "blue"],
      [key, null],
    ],
  );
  assert.deepEqual(deadLetters, ["key has no integer stop_id", "value is not JSON"]);
});
