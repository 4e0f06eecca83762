import assert from "node:assert/strict";
import { RecordShapeError } from "../lib/contracts/shape.ts";
import { arrivalChanges, parseJson, stationChanges, turnstileChanges } from "./records.ts";

Deno.test("an arrival with an unknown direction or line is rejected", () => {
  const base = {
    station_id: 1,
    train_id: "BL000",
    line: "blue",
    train_status: "in_service",
    prev_station_id: null,
    prev_direction: null,
  };
  assert.throws(() => arrivalChanges({ ...base, direction: "c" }), RecordShapeError);
  assert.throws(
    () => arrivalChanges({ ...base, direction: "a", line: "purple" }),
    RecordShapeError,
  );
  assert.equal(arrivalChanges({ ...base, direction: "a" }).length, 1);
});

Deno.test("a station tombstone without a line in its key removes it from every line", () => {
  const changes = stationChanges({ station_id: 7 }, null);
  assert.deepEqual(changes.map((c) => c.kind === "stationRemoved" && c.line), [
    "red",
    "blue",
    "green",
  ]);
});

Deno.test("a summary record must carry integer STATION_ID and COUNT", () => {
  assert.throws(() => turnstileChanges(1, { STATION_ID: 1, COUNT: "many" }), RecordShapeError);
  assert.throws(() => turnstileChanges(1, [1, 2]), RecordShapeError);
  assert.deepEqual(turnstileChanges(1, { STATION_ID: 1, COUNT: 4 }), [
    { kind: "turnstile", station_id: 1, count: 4 },
  ]);
});

Deno.test("JSON bytes parse, empty bytes are a tombstone, and garbage throws", () => {
  assert.equal(parseJson(null), null);
  assert.equal(parseJson(new Uint8Array()), null);
  assert.equal(parseJson(new TextEncoder().encode("null")), null);
  assert.deepEqual(parseJson(new TextEncoder().encode('{"a":1}')), { a: 1 });
  assert.throws(() => parseJson(new TextEncoder().encode("{nope")), SyntaxError);
});
