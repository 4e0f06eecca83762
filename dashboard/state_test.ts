import assert from "node:assert/strict";
import {
  applyChange,
  applyChanges,
  type Change,
  coalesce,
  emptyState,
  trainsByPlatform,
} from "./state.ts";
import { arrivalChanges, stationChanges, turnstileChanges, weatherChanges } from "./records.ts";

function apply(state: ReturnType<typeof emptyState>, changes: Change[]) {
  for (const c of changes) applyChange(state, c);
}

const arrival = (
  station_id: number,
  direction: string,
  prev: [number, string] | null,
  train_id = "RL004",
) => ({
  station_id,
  train_id,
  direction,
  line: "red",
  train_status: "in_service",
  prev_station_id: prev?.[0] ?? null,
  prev_direction: prev?.[1] ?? null,
});

Deno.test("an arrival moves the train and clears its previous place", () => {
  const state = emptyState();
  apply(state, arrivalChanges(arrival(40900, "b", null)));
  assert.deepEqual(trainsByPlatform(state, "red")(40900, "b").map((t) => t.train_id), ["RL004"]);
  apply(state, arrivalChanges(arrival(41190, "b", [40900, "b"])));
  assert.deepEqual(trainsByPlatform(state, "red")(40900, "b"), []);
  assert.deepEqual(trainsByPlatform(state, "red")(41190, "b").map((t) => t.train_id), ["RL004"]);
});

Deno.test("a train that reverses at a terminal shows in the other direction only", () => {
  const state = emptyState();
  apply(state, arrivalChanges(arrival(40450, "b", [41430, "b"])));
  apply(state, arrivalChanges(arrival(41430, "a", [40450, "b"])));
  assert.deepEqual(trainsByPlatform(state, "red")(40450, "b"), []);
  assert.deepEqual(trainsByPlatform(state, "red")(41430, "b"), []);
  assert.equal(trainsByPlatform(state, "red")(41430, "a")[0].train_id, "RL004");
});

Deno.test("two trains at one station are both shown, sorted by id", () => {
  const state = emptyState();
  apply(state, arrivalChanges(arrival(40900, "a", null, "RL007")));
  apply(state, arrivalChanges(arrival(40900, "a", null, "RL001")));
  assert.deepEqual(trainsByPlatform(state, "red")(40900, "a").map((t) => t.train_id), [
    "RL001",
    "RL007",
  ]);
});

Deno.test("turnstile counts take the latest summary per station", () => {
  const state = emptyState();
  apply(state, turnstileChanges(40900, { STATION_ID: 40900, COUNT: 5 }));
  apply(state, turnstileChanges(40900, { STATION_ID: 40900, COUNT: 12 }));
  apply(state, turnstileChanges(41190, { STATION_ID: 41190, COUNT: 3 }));
  assert.deepEqual(state.turnstiles, { "40900": 12, "41190": 3 });
});

Deno.test("the newest weather reading wins, whatever the order of arrival", () => {
  const state = emptyState();
  apply(state, weatherChanges({ timestamp: 2000 }, { temperature: 41.5, status: "cloudy" }));
  const older = weatherChanges({ timestamp: 1000 }, { temperature: 90, status: "sunny" });
  assert.equal(applyChange(state, older[0]), false);
  assert.deepEqual(state.weather, { timestamp: 2000, temperature: 41.5, status: "cloudy" });
  apply(state, weatherChanges({ timestamp: 3000n }, { temperature: 39, status: "windy" }));
  assert.equal(state.weather?.timestamp, 3000);
});

Deno.test("stations are kept in line order and a tombstone removes one from its line", () => {
  const state = emptyState();
  const station = (id: number, name: string, order: number, line = "green") =>
    stationChanges({ station_id: id, line }, { station_id: id, station_name: name, order, line });
  apply(state, station(41350, "Oak Park", 1));
  apply(state, station(40020, "Harlem/Lake", 0));
  apply(state, station(40380, "Clark/Lake", 20));
  apply(state, station(40380, "Clark/Lake", 9, "blue"));
  assert.deepEqual(state.lines.green.map((s) => s.station_name), [
    "Harlem/Lake",
    "Oak Park",
    "Clark/Lake",
  ]);
  apply(state, stationChanges({ station_id: 40380, line: "green" }, null));
  assert.deepEqual(state.lines.green.map((s) => s.station_id), [40020, 41350]);
  assert.deepEqual(state.lines.blue.map((s) => s.station_id), [40380]);
});

Deno.test("a renamed station replaces its old entry instead of adding one", () => {
  const state = emptyState();
  const v = (name: string) => ({ station_id: 1, station_name: name, order: 0, line: "red" });
  apply(state, stationChanges({ station_id: 1, line: "red" }, v("Old")));
  apply(state, stationChanges({ station_id: 1, line: "red" }, v("New")));
  assert.deepEqual(state.lines.red.map((s) => s.station_name), ["New"]);
});

Deno.test("coalescing keeps the last change per thing, in order of last touch", () => {
  const t = (count: number, station_id = 1): Change => ({ kind: "turnstile", station_id, count });
  const merged = coalesce([t(1), t(5, 2), t(2), t(3)]);
  assert.deepEqual(merged, [t(5, 2), t(3)]);
});

Deno.test("applyChanges keeps the newest updatedAt", () => {
  const state = emptyState();
  applyChanges(state, [], 50);
  applyChanges(state, [], 10);
  assert.equal(state.updatedAt, 50);
});
