import assert from "node:assert/strict";
import type { PredictedArrival } from "../lib/contracts/predictions.ts";
import { applyChanges, type Change, emptyState } from "./state.ts";
import { stationView, whenWords } from "./station_view.ts";

const CLOCK = Date.UTC(2026, 11, 5, 18);
const MIN = 60_000;

function arrival(over: Partial<PredictedArrival>): PredictedArrival {
  return {
    train_id: "RL001",
    arrival_time: CLOCK + 5 * MIN,
    from_station_id: 40900,
    reported_at: CLOCK,
    stops_away: 2,
    destination_station_id: 40450,
    delayed: false,
    broken_down: false,
    ...over,
  };
}

function state() {
  const s = emptyState();
  const changes: Change[] = [
    {
      kind: "station",
      line: "red",
      station: { station_id: 40900, station_name: "Howard", order: 0 },
    },
    {
      kind: "station",
      line: "red",
      station: { station_id: 41400, station_name: "Roosevelt", order: 1 },
    },
    {
      kind: "station",
      line: "red",
      station: { station_id: 40450, station_name: "95th/Dan Ryan", order: 2 },
    },
    {
      kind: "station",
      line: "green",
      station: { station_id: 40020, station_name: "Harlem/Lake", order: 0 },
    },
    {
      kind: "station",
      line: "green",
      station: { station_id: 41400, station_name: "Roosevelt", order: 1 },
    },
    {
      kind: "train",
      train: {
        train_id: "GL000",
        line: "green",
        station_id: 40020,
        direction: "b",
        status: "in_service",
        reported_at: CLOCK,
      },
    },
    { kind: "turnstile", station_id: 41400, count: 1234 },
    {
      kind: "predictions",
      platform: {
        station_id: 41400,
        line: "red",
        direction: "b",
        generated_at: CLOCK,
        arrivals: [
          arrival({ train_id: "RL003", arrival_time: CLOCK + 7.4 * MIN, delayed: true }),
          arrival({ train_id: "RL001", arrival_time: CLOCK + 50_000, stops_away: 0 }),
          arrival({ train_id: "RL002", arrival_time: CLOCK + 100_000, stops_away: 0 }),
        ],
      },
    },
    {
      kind: "predictions",
      platform: {
        station_id: 41400,
        line: "red",
        direction: "a",
        generated_at: CLOCK,
        arrivals: [
          arrival({
            train_id: "RL009",
            arrival_time: CLOCK + 3 * MIN,
            stops_away: 1,
            destination_station_id: 40900,
            broken_down: true,
          }),
        ],
      },
    },
  ];
  applyChanges(s, changes, CLOCK);
  return s;
}

Deno.test("when: Due at a minute or less, Approaching from the station before, else minutes", () => {
  assert.deepEqual(whenWords(CLOCK + MIN, CLOCK, 3), { when: "Due", minutes: 0 });
  assert.deepEqual(whenWords(CLOCK - 5 * MIN, CLOCK, 0), { when: "Due", minutes: 0 });
  assert.deepEqual(whenWords(CLOCK + 1.6 * MIN, CLOCK, 0), { when: "Approaching", minutes: 2 });
  assert.deepEqual(whenWords(CLOCK + 1.6 * MIN, CLOCK, 1), { when: "2 min", minutes: 2 });
  assert.deepEqual(whenWords(CLOCK + 2.5 * MIN, CLOCK, 0), { when: "3 min", minutes: 3 });
  assert.deepEqual(whenWords(CLOCK + 12.2 * MIN, CLOCK, 4), { when: "12 min", minutes: 12 });
});

Deno.test("a station on two lines: both lines, both directions each, soonest train first", () => {
  const view = stationView(state(), 41400)!;
  assert.equal(view.name, "Roosevelt");
  assert.deepEqual(view.lines, ["red", "green"]);
  assert.deepEqual(
    view.directions.map((d) => `${d.line} ${d.direction} ${d.toward}`),
    [
      "red a Toward Howard",
      "red b Toward 95th/Dan Ryan",
      "green a Toward Harlem/Lake",
      "green b Toward Roosevelt",
    ],
  );
  const south = view.directions[1].arrivals;
  assert.deepEqual(south.map((a) => [a.train_id, a.when, a.conditionWords]), [
    ["RL001", "Due", "On time"],
    ["RL002", "Approaching", "On time"],
    ["RL003", "7 min", "Delayed"],
  ]);
  assert.equal(south[0].destination, "95th/Dan Ryan");
  const north = view.directions[0].arrivals;
  assert.deepEqual(north.map((a) => [a.when, a.condition, a.destination]), [
    ["3 min", "broken_down", "Howard"],
  ]);
  assert.equal(view.directions[2].arrivals.length, 0);
  assert.equal(view.entries, 1234);
  assert.equal(view.clock, CLOCK);
});

Deno.test("an unknown station has no view; a station without counts has null entries", () => {
  assert.equal(stationView(state(), 12345), null);
  assert.equal(stationView(state(), 40900)!.entries, null);
});

Deno.test("before any train reported there is no clock, so no minutes", () => {
  const s = state();
  s.clock = null;
  assert.equal(stationView(s, 41400)!.directions[1].arrivals[0].when, "Time unknown");
});
