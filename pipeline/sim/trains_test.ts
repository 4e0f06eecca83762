import assert from "node:assert/strict";
import { loadSimData } from "./data.ts";
import { Random } from "./prng.ts";
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import type { TrainStatus } from "../../lib/contracts/enums.ts";
import {
  advanceTrain,
  imposedStatus,
  isSilenced,
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

Deno.test("a staged break-down holds the train for its steps, then it runs again", () => {
  const breakDowns = [{ trainId: "RL002", step: 3, steps: 2 }];
  assert.deepEqual(
    [2, 3, 4, 5, 6].map((step) => imposedStatus(breakDowns, "RL002", step)),
    [undefined, "broken_down", "broken_down", "in_service", undefined],
  );
  assert.equal(imposedStatus(breakDowns, "RL003", 3), undefined);
  // Overlapping break-downs: in service only once the last one is over.
  const overlapping = [...breakDowns, { trainId: "RL002", step: 4, steps: 3 }];
  assert.deepEqual(
    [4, 5, 6, 7, 8].map((step) => imposedStatus(overlapping, "RL002", step)),
    ["broken_down", "broken_down", "broken_down", "in_service", undefined],
  );
});

Deno.test("an imposed status still takes its draw, so the random stream moves on alike", () => {
  const red = lines.find((l) => l.line === "red")!;
  const [free, held] = [new Random(3), new Random(3)];
  const [a, b] = [placeTrains(red, 1)[0], placeTrains(red, 1)[0]];
  advanceTrain(a, red, free);
  const report = advanceTrain(b, red, held, "broken_down");
  assert.equal(report.train_status, "broken_down");
  assert.equal(report.station_id, report.prev_station_id, "held where it stands");
  assert.equal(free.next(), held.next());
});

Deno.test("a silenced train is silent from its step on", () => {
  const silences = [{ trainId: "BL001", step: 5 }];
  assert.deepEqual(
    [0, 4, 5, 9].map((step) => isSilenced(silences, "BL001", step)),
    [false, false, true, true],
  );
  assert.equal(isSilenced(silences, "BL002", 9), false);
});
