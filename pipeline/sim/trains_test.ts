import assert from "node:assert/strict";
import { loadSimData } from "./data.ts";
import { Random } from "./prng.ts";
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import type { TrainStatus } from "../../lib/contracts/enums.ts";
import {
  advanceTrain,
  nextStatus,
  placementArrival,
  placeTrains,
  stopAt,
  trainId,
} from "./trains.ts";

const { lines } = loadSimData();

Deno.test("train ids are the line letter, L and three digits", () => {
  assert.equal(trainId("blue", 0), "BL000");
  assert.equal(trainId("red", 4), "RL004");
  assert.equal(trainId("green", 9), "GL009");
  for (const line of lines) {
    const ids = placeTrains(line, 10).map((t) => t.id);
    assert.equal(ids.length, 10);
    assert.equal(new Set(ids).size, 10);
    assert.ok(ids.every((id) => id.startsWith(`${line.line[0].toUpperCase()}L`)));
  }
});

Deno.test("trains start floor(2(n-1)/trains) positions apart, from station 0 in direction b", () => {
  const red = lines.find((l) => l.line === "red")!; // 33 stations: spacing floor(64/10) = 6
  const placed = placeTrains(red, 10).map((t) => placementArrival(t, red));
  assert.equal(placed[0].station_id, red.stations[0].stationId);
  assert.deepEqual(placed.map((a) => a.direction), [
    "b",
    "b",
    "b",
    "b",
    "b",
    "b",
    "a",
    "a",
    "a",
    "a",
  ]);
  // b: 0, 6, ..., 30; then 36 → index 64 − 36 = 28, 42 → 22, 48 → 16, 54 → 10.
  const indices = placed.map((a) => red.stations.findIndex((s) => s.stationId === a.station_id));
  assert.deepEqual(indices, [0, 6, 12, 18, 24, 30, 28, 22, 16, 10]);
  assert.ok(placed.every((a) => a.prev_station_id === null && a.prev_direction === null));
  const green = lines.find((l) => l.line === "green")!; // 28 stations: spacing floor(54/10) = 5
  assert.deepEqual(placeTrains(green, 10).map((t) => t.position), [
    0,
    5,
    10,
    15,
    20,
    25,
    30,
    35,
    40,
    45,
  ]);
});

Deno.test("the round trip turns at both terminals", () => {
  assert.deepEqual(stopAt(4, 0), { index: 0, direction: "b" });
  assert.deepEqual(stopAt(4, 2), { index: 2, direction: "b" });
  assert.deepEqual(stopAt(4, 3), { index: 3, direction: "a" });
  assert.deepEqual(stopAt(4, 5), { index: 1, direction: "a" });
  assert.deepEqual(stopAt(4, 6), { index: 0, direction: "b" });
});

Deno.test("over hundreds of steps trains never skip or repeat a station and turn at terminals", () => {
  const random = new Random(11);
  for (const line of lines) {
    const indexOf = new Map(line.stations.map((s, i) => [s.stationId, i]));
    const last = line.stations.length - 1;
    const trains = placeTrains(line, 10);
    const previous = new Map<string, ArrivalValue>(
      trains.map((t) => [t.id, placementArrival(t, line)]),
    );
    const visitedEnds = new Set<number>();
    for (let step = 0; step < 400; step++) {
      for (const train of trains) {
        const before = previous.get(train.id)!;
        const now = advanceTrain(train, line, random);
        assert.equal(now.prev_station_id, before.station_id);
        assert.equal(now.prev_direction, before.direction);
        const from = indexOf.get(before.station_id)!;
        const to = indexOf.get(now.station_id)!;
        if (now.train_status !== "in_service") {
          assert.equal(to, from, `${train.id} moved while ${now.train_status}`);
          assert.equal(now.direction, before.direction);
        } else {
          assert.equal(Math.abs(to - from), 1, `${train.id} went from ${from} to ${to}`);
          const expected = before.direction === "b" ? from + 1 : from - 1;
          assert.equal(to, expected, `${train.id} went the wrong way`);
          // Arriving at a terminal means it runs the other way from there.
          if (to === last) assert.equal(now.direction, "a");
          if (to === 0) assert.equal(now.direction, "b");
          if (to !== last && to !== 0) assert.equal(now.direction, before.direction);
          if (to === last || to === 0) visitedEnds.add(to);
        }
        previous.set(train.id, now);
      }
    }
    assert.deepEqual([...visitedEnds].sort((a, b) => a - b), [0, last]);
  }
});

Deno.test("statuses: in-service trains rarely stop, stopped trains come back", () => {
  const random = new Random(5);
  const count = (from: TrainStatus, to: TrainStatus, n: number) => {
    let hits = 0;
    for (let i = 0; i < n; i++) if (nextStatus(from, random) === to) hits++;
    return hits;
  };
  const n = 100_000;
  const broken = count("in_service", "broken_down", n) / n;
  assert.ok(broken > 0.001 && broken < 0.003, `break-down share ${broken}`);
  const repaired = count("broken_down", "in_service", n) / n;
  assert.ok(repaired > 0.23 && repaired < 0.27, `repair share ${repaired}`);
  assert.equal(count("out_of_service", "broken_down", 1000), 0);
});
