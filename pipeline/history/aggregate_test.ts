import assert from "node:assert/strict";
import {
  arrivalCounted,
  HOUR_MS,
  hourOf,
  type InputRecord,
  planBatch,
  turnstileCounted,
} from "./aggregate.ts";

const T0 = Date.UTC(2026, 0, 5, 17); // 11:00 in Chicago
const at = (minutes: number) => T0 + minutes * 60_000;

function entry(offset: number, stationId: number, eventTime: number | null): InputRecord {
  return {
    offset: BigInt(offset),
    timestamp: Date.UTC(2030, 0, 1),
    eventTime,
    counted: turnstileCounted({ station_id: stationId, station_name: "x", line: "red" }),
  };
}

function arrival(offset: number, stationId: number, direction: "a" | "b", time: number) {
  return {
    offset: BigInt(offset),
    timestamp: 0,
    eventTime: time,
    counted: arrivalCounted({
      station_id: stationId,
      train_id: "RL001",
      direction,
      line: "red",
      train_status: "in_service",
      prev_station_id: null,
      prev_direction: null,
    }),
  } satisfies InputRecord;
}

Deno.test("entries are counted per station and UTC hour of their event time", () => {
  const plan = planBatch([
    entry(0, 40380, at(0)),
    entry(1, 40380, at(59)),
    entry(2, 40380, at(60)),
    entry(3, 41320, at(5)),
    entry(4, 40380, at(30)),
  ], 0n);
  assert.deepEqual(plan.entries, [
    { stationId: 40380, hour: T0, entries: 3 },
    { stationId: 40380, hour: T0 + HOUR_MS, entries: 1 },
    { stationId: 41320, hour: T0, entries: 1 },
  ]);
  assert.deepEqual(plan.arrivals, []);
  assert.equal(plan.counted, 5);
  assert.equal(plan.next, 5n);
});

Deno.test("arrivals are counted per station, hour, line and direction, in key order", () => {
  const plan = planBatch([
    arrival(10, 40380, "b", at(0)),
    arrival(11, 40380, "a", at(10)),
    arrival(12, 40380, "b", at(20)),
    arrival(13, 30000, "a", at(70)),
  ], 10n);
  assert.deepEqual(plan.arrivals, [
    { stationId: 30000, hour: T0 + HOUR_MS, line: "red", direction: "a", arrivals: 1 },
    { stationId: 40380, hour: T0, line: "red", direction: "a", arrivals: 1 },
    { stationId: 40380, hour: T0, line: "red", direction: "b", arrivals: 2 },
  ]);
  assert.equal(plan.next, 14n);
});

Deno.test("records below the stored offset were counted before and are skipped", () => {
  const records = [entry(100, 1, at(0)), entry(101, 1, at(0)), entry(102, 1, at(0))];
  const resumed = planBatch(records, 102n);
  assert.equal(resumed.skipped, 2);
  assert.deepEqual(resumed.entries, [{ stationId: 1, hour: T0, entries: 1 }]);
  assert.equal(resumed.next, 103n);
  // A late instance replays a batch another one has already applied: nothing, and no step back.
  const stale = planBatch(records, 500n, 103n);
  assert.deepEqual(stale.entries, []);
  assert.equal(stale.skipped, 3);
  assert.equal(stale.next, 500n);
});

Deno.test("applying a batch's plan and then replanning it adds nothing", () => {
  const records = [entry(7, 1, at(0)), entry(8, 2, at(90)), { offset: 9n, reason: "bad bytes" }];
  const first = planBatch(records, 7n);
  const again = planBatch(records, first.next);
  assert.equal(first.counted, 2);
  assert.equal(again.counted + again.deadLetters.length, 0);
  assert.equal(again.next, first.next);
});

Deno.test("unreadable records become dead letters and still move the next offset", () => {
  const plan = planBatch([
    entry(0, 1, at(0)),
    { offset: 1n, reason: "unknown magic byte 7" },
    entry(2, 1, 9e15),
  ], 0n);
  assert.deepEqual(plan.deadLetters, [
    { offset: 1n, reason: "unknown magic byte 7" },
    { offset: 2n, reason: "event_time 9000000000000000 is out of range" },
  ]);
  assert.equal(plan.counted, 1);
  assert.equal(plan.next, 3n);
});

Deno.test("records without event_time are bucketed by their Kafka record timestamp", () => {
  const plan = planBatch([entry(0, 1, null)], 0n);
  assert.deepEqual(plan.entries, [{ stationId: 1, hour: Date.UTC(2030, 0, 1), entries: 1 }]);
  assert.deepEqual(hourOf(null, -1), { reason: "no event_time, and no record timestamp" });
  assert.equal(hourOf(at(61), 0), T0 + HOUR_MS);
  assert.equal(hourOf(-1, 0), -HOUR_MS, "before 1970 the hour still starts at or before it");
});

Deno.test("the batch's end moves the next offset past trailing control records", () => {
  assert.equal(planBatch([entry(4, 1, at(0))], 4n, 7n).next, 7n);
  assert.equal(planBatch([], 4n, 3n).next, 4n);
});
