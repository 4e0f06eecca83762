import assert from "node:assert/strict";
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import type { Direction, TrainStatus } from "../../lib/contracts/enums.ts";
import { platformKey } from "../../lib/contracts/predictions.ts";
import { loadSimData } from "../sim/data.ts";
import { Simulation } from "../sim/model.ts";
import { desiredAlerts } from "./alerts.ts";
import { type ModelOptions, PredictionModel } from "./model.ts";

const MIN = 60_000;
const T0 = Date.parse("2026-11-27T00:00:00Z");
// A line of four stations: the round trip is 1b 2b 3b 4a 3a 2a, then 1b again.
const STATIONS = [1, 2, 3, 4].map((id) => ({ station_id: id, station_name: `S${id}` }));

function arrival(
  train_id: string,
  station_id: number,
  direction: Direction,
  minute: number | null,
  prev: number | null,
  status: TrainStatus = "in_service",
): ArrivalValue {
  return {
    station_id,
    train_id,
    direction,
    line: "red",
    train_status: status,
    prev_station_id: prev,
    prev_direction: prev === null ? null : direction,
    event_time: minute === null ? null : T0 + minute * MIN,
  };
}

function model(options: Partial<ModelOptions> = {}): PredictionModel {
  const m = new PredictionModel(options);
  m.setLine("red", STATIONS);
  return m;
}

const board = (m: PredictionModel, station_id: number, direction: Direction) =>
  m.predictions().get(platformKey({ station_id, line: "red", direction }))?.arrivals ?? [];

Deno.test("with nothing learned, a train's next stops are one default travel time apart, round the trip", () => {
  const m = model({ defaultSegmentMs: 5 * MIN });
  m.observe(arrival("RL000", 2, "b", 0, null));
  const order: [number, Direction][] = [[3, "b"], [4, "a"], [3, "a"], [2, "a"], [1, "b"], [2, "b"]];
  order.forEach(([station, direction], k) => {
    const [next] = board(m, station, direction);
    assert.equal(next.train_id, "RL000");
    assert.equal(next.arrival_time, T0 + (k + 1) * 5 * MIN, `${station}${direction}`);
    assert.equal(next.stops_away, k);
    assert.equal(next.from_station_id, 2);
    assert.equal(next.reported_at, T0);
    assert.equal(next.destination_station_id, direction === "b" ? 4 : 1);
    assert.ok(!next.delayed && !next.broken_down);
  });
  assert.equal(m.predictions().size, 6, "every platform of the trip");
});

Deno.test("travel times are learned per segment; unseen segments take the median report interval", () => {
  const m = model({ defaultSegmentMs: 5 * MIN });
  m.observe(arrival("RL000", 1, "b", 0, null));
  m.observe(arrival("RL000", 2, "b", 3, 1)); // 1→2 took 3 minutes
  m.observe(arrival("RL000", 3, "b", 10, 2)); // 2→3 took 7
  assert.equal(m.segmentMs("red", 1, 2), 3 * MIN);
  assert.equal(m.segmentMs("red", 2, 3), 7 * MIN);
  assert.equal(m.defaultSegmentMs(), 3 * MIN, "the lower median of 3 and 7");
  assert.equal(m.segmentMs("red", 3, 4), 3 * MIN);
  // RL001 at station 1: 1→2 (3 min), then 2→3 (7 min).
  m.observe(arrival("RL001", 1, "b", 10, null));
  const [at3] = board(m, 3, "b").filter((a) => a.train_id === "RL001");
  assert.equal(at3.arrival_time, T0 + 20 * MIN);
  // The estimate is the median of the latest observations: one slow trip does not move it.
  for (const [minute, took] of [[20, 3], [30, 3], [40, 9]]) {
    m.observe(arrival(`RL10${minute}`, 1, "b", minute - took, null));
    m.observe(arrival(`RL10${minute}`, 2, "b", minute, 1));
  }
  assert.equal(m.segmentMs("red", 1, 2), 3 * MIN);
});

Deno.test("each platform lists the next trains, soonest first, at most arrivalsPerPlatform", () => {
  const m = model({ arrivalsPerPlatform: 2, defaultSegmentMs: 5 * MIN });
  m.observe(arrival("RL000", 1, "b", 0, null));
  m.observe(arrival("RL001", 4, "a", 0, null));
  m.observe(arrival("RL002", 2, "b", 0, null));
  const at3b = board(m, 3, "b");
  assert.deepEqual(at3b.map((a) => [a.train_id, a.stops_away]), [["RL002", 0], ["RL000", 1]]);
  assert.ok(at3b[0].arrival_time < at3b[1].arrival_time);
});

Deno.test("now is the latest event time seen, whatever the wall clock", () => {
  const m = model();
  assert.equal(m.now, null);
  m.observe(arrival("RL000", 1, "b", 30, null));
  m.observe(arrival("RL001", 1, "b", 10, null));
  assert.equal(m.now, T0 + 30 * MIN);
  assert.equal(
    m.predictions().get(platformKey({ station_id: 2, line: "red", direction: "b" }))
      ?.generated_at,
    T0 + 30 * MIN,
  );
});

Deno.test("a report seen twice counts once; one without event time is skipped", () => {
  const m = model();
  assert.equal(m.observe(arrival("RL000", 1, "b", 0, null)), "applied");
  assert.equal(m.observe(arrival("RL000", 1, "b", 0, null)), "duplicate");
  assert.equal(m.observe(arrival("RL000", 2, "b", null, 1)), "no_event_time");
  assert.equal(m.observe(arrival("RL000", 2, "b", 5, 1)), "applied");
  assert.equal(m.observe(arrival("RL000", 1, "b", -120, null)), "too_old");
  assert.equal(board(m, 3, "b")[0].from_station_id, 2);
});

Deno.test("a late report counts as an observation but does not move the train back", () => {
  const m = model({ defaultSegmentMs: 5 * MIN });
  m.observe(arrival("RL000", 1, "b", 0, null));
  m.observe(arrival("RL000", 3, "b", 8, 2));
  m.observe(arrival("RL000", 2, "b", 4, 1)); // arrives last
  assert.equal(m.segmentMs("red", 1, 2), 4 * MIN);
  assert.equal(m.segmentMs("red", 2, 3), 4 * MIN);
  assert.equal(board(m, 4, "a")[0].from_station_id, 3);
});

Deno.test("a train held two travel times is delayed; a broken-down one is flagged", () => {
  const m = model({ defaultSegmentMs: 5 * MIN });
  m.observe(arrival("RL000", 1, "b", 0, null));
  m.observe(arrival("RL000", 2, "b", 5, 1));
  m.observe(arrival("RL000", 2, "b", 10, 2, "broken_down"));
  let [next] = board(m, 3, "b");
  assert.deepEqual([next.delayed, next.broken_down], [false, true]);
  assert.equal(next.arrival_time, T0 + 15 * MIN, "from its latest report");
  m.observe(arrival("RL000", 2, "b", 15, 2, "broken_down"));
  [next] = board(m, 3, "b");
  assert.deepEqual([next.delayed, next.broken_down], [true, true]);
  m.observe(arrival("RL000", 3, "b", 20, 2));
  [next] = board(m, 4, "a");
  assert.deepEqual([next.delayed, next.broken_down], [false, false], "running again");
});

Deno.test("a last move that took twice the learned time makes a train delayed", () => {
  const m = model({ defaultSegmentMs: 5 * MIN });
  for (const [i, minute] of [0, 5, 10, 15].entries()) {
    m.observe(arrival(`RL00${i}`, 1, "b", minute, null));
    m.observe(arrival(`RL00${i}`, 2, "b", minute + 5, 1));
  }
  m.observe(arrival("RL009", 1, "b", 20, null));
  m.observe(arrival("RL009", 2, "b", 30, 1)); // 10 minutes
  assert.ok(board(m, 3, "b").find((a) => a.train_id === "RL009")!.delayed);
  assert.ok(!board(m, 3, "b").find((a) => a.train_id === "RL003")!.delayed);
});

Deno.test("a silent train goes stale (left out), then is forgotten; out-of-service trains are left out", () => {
  const m = model({ staleAfterMs: 15 * MIN, removeAfterMs: 30 * MIN });
  m.observe(arrival("RL000", 1, "b", 0, null));
  m.observe(arrival("RL001", 3, "a", 0, null, "out_of_service"));
  const trainsAt = () =>
    new Set([...m.predictions().values()].flatMap((p) => p.arrivals.map((a) => a.train_id)));
  assert.deepEqual(trainsAt(), new Set(["RL000"]));
  m.observe(arrival("RL002", 1, "b", 14, null));
  assert.ok(trainsAt().has("RL000"), "14 minutes: still fresh");
  m.observe(arrival("RL002", 2, "b", 15, 1));
  assert.ok(!trainsAt().has("RL000"), "15 minutes: stale");
  assert.ok(m.trains().find((t) => t.train_id === "RL000")!.stale);
  assert.deepEqual(m.expire(), []);
  m.observe(arrival("RL002", 3, "b", 30, 2));
  assert.deepEqual(m.expire().sort(), ["RL000", "RL001"]);
  assert.equal(m.trainCount, 1);
});

Deno.test("a station not on the line leaves its train unpredicted; a new line order applies at once", () => {
  const m = model({ defaultSegmentMs: 5 * MIN });
  m.observe(arrival("RL000", 99, "b", 0, null));
  assert.equal(m.predictions().size, 0);
  m.setLine("red", [...STATIONS, { station_id: 99, station_name: "S99" }]);
  assert.equal(m.predictions().size, 8);
  // 99 is now the terminal: the train turns there and 4 (direction a) is next.
  assert.equal(board(m, 4, "a")[0].arrival_time, T0 + 5 * MIN);
});

// The simulation, with staged faults: its events in order, and shuffled within a step and the
// next, give the same predictions and alerts.
function simulated(steps: number) {
  const data = loadSimData();
  const sim = new Simulation(data, {
    start: T0,
    stepMinutes: 5,
    trainsPerLine: 10,
    seed: 11,
    weather: false,
    breakDowns: [{ trainId: "RL002", step: 3, steps: 4 }],
    silences: [{ trainId: "BL001", step: 5 }],
  });
  const events = Array.from({ length: steps }, () => sim.step().arrivals).flat();
  const fed = (arrivals: ArrivalValue[]) => {
    const m = new PredictionModel();
    for (const { line, stations } of data.lines) {
      m.setLine(line, stations.map((s) => ({ station_id: s.stationId, station_name: s.name })));
    }
    for (const a of arrivals) m.observe(a);
    m.expire();
    return m;
  };
  return { events, fed };
}

Deno.test("the state depends on the set of reports, not on the order they arrive in", () => {
  const { events, fed } = simulated(20);
  let seed = 5;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  // Interleaved as several partitions would deliver them: each report at most a step late.
  const shuffled = events.map((a, i) => ({ a, at: i + random() * 60 }))
    .sort((x, y) => x.at - y.at).map((x) => x.a);
  assert.notDeepEqual(shuffled, events);
  const [inOrder, outOfOrder] = [fed(events), fed(shuffled)];
  assert.deepEqual(outOfOrder.predictions(), inOrder.predictions());
  assert.deepEqual(desiredAlerts(outOfOrder), desiredAlerts(inOrder));
  const twice = fed([...events, ...events.slice(100, 300)]);
  assert.deepEqual(twice.predictions(), inOrder.predictions());
});

Deno.test("on the simulation, every platform of every line has its next three trains", () => {
  const { events, fed } = simulated(20);
  const m = fed(events);
  const boards = m.predictions();
  // Red and blue have 33 stations, green 28: 2(n − 1) platforms each.
  assert.equal(boards.size, 64 + 64 + 54);
  for (const board of boards.values()) assert.equal(board.arrivals.length, 3);
  const trains = new Set([...boards.values()].flatMap((b) => b.arrivals.map((a) => a.train_id)));
  assert.ok(!trains.has("BL001"), "silent since step 5, stale by step 19");
  assert.ok(trains.has("RL002"), "running again since step 7");
  assert.equal(m.defaultSegmentMs(), 5 * MIN, "learned from the 5-minute steps");
});
