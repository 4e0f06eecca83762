import assert from "node:assert/strict";
import type { Direction, Line } from "../../lib/contracts/enums.ts";
import {
  platformKey,
  type PlatformPredictions,
  type PredictedArrival,
} from "../../lib/contracts/predictions.ts";
import { emptyState, type Train } from "../state.ts";
import {
  arrivalsResponse,
  errorResponse,
  followResponse,
  positionsResponse,
  type TrackerView,
} from "./responses.ts";
import { stopTable } from "./stops.ts";

const table = stopTable();
// 2026-01-05 08:00:00 in Chicago.
const NOW = Date.UTC(2026, 0, 5, 14, 0, 0);
const MIN = 60_000;

function predicted(
  train_id: string,
  inMinutes: number,
  more: Partial<PredictedArrival> = {},
): PredictedArrival {
  return {
    train_id,
    arrival_time: NOW + inMinutes * MIN,
    from_station_id: 0,
    reported_at: NOW - 30_000,
    stops_away: 2,
    destination_station_id: 0,
    delayed: false,
    broken_down: false,
    ...more,
  };
}

function view(
  boards: [number, Line, Direction, PredictedArrival[]][],
  trains: Partial<Train>[] = [],
): TrackerView {
  const state = emptyState();
  for (const [station_id, line, direction, arrivals] of boards) {
    const board: PlatformPredictions = {
      station_id,
      line,
      direction,
      generated_at: NOW,
      arrivals,
    };
    state.predictions[platformKey(board)] = board;
  }
  for (const t of trains) {
    state.trains[t.train_id!] = {
      line: "red",
      station_id: 0,
      direction: "a",
      status: "in_service",
      reported_at: NOW,
      ...t,
    } as Train;
  }
  return state;
}

// Clark/Lake (40380): Blue towards O'Hare (a) and Green towards Ashland/63rd (b).
const clarkLake = view([
  [40380, "blue", "a", [
    predicted("BL003", 4, { destination_station_id: 40890, from_station_id: 40070 }),
  ]],
  [40380, "green", "b", [
    predicted("GL001", 1, { stops_away: 0, destination_station_id: 40290, delayed: true }),
    predicted("GL007", 9, { destination_station_id: 40290 }),
  ]],
]);

const request = (more: Partial<Parameters<typeof arrivalsResponse>[2]> = {}) => ({
  stations: [40380],
  stops: [],
  routes: [],
  max: null,
  ...more,
});

Deno.test("arrivals: every field of an eta, as CTA names and formats it", () => {
  const { ctatt } = arrivalsResponse(clarkLake, table, request(), NOW);
  assert.equal(ctatt.tmst, "2026-01-05T08:00:00");
  assert.equal(ctatt.errCd, "0");
  assert.equal(ctatt.errNm, null);
  const etas = ctatt.eta as Record<string, unknown>[];
  assert.deepEqual(etas.map((e) => e.rn), ["501", "103", "507"]);
  assert.deepEqual(etas[1], {
    staId: "40380",
    stpId: String(table.platform(40380, "blue", "a")!.stopId),
    staNm: "Clark/Lake",
    stpDe: "Service toward O'Hare",
    rn: "103",
    rt: "Blue",
    destSt: "30171",
    destNm: "O'Hare",
    trDr: "1",
    prdt: "2026-01-05T07:59:30",
    arrT: "2026-01-05T08:04:00",
    isApp: "0",
    isSch: "0",
    isDly: "0",
    isFlt: "0",
    flags: null,
    lat: null,
    lon: null,
    heading: null,
  });
  assert.equal(etas[0].rt, "G");
  assert.equal(etas[0].trDr, "5");
  assert.equal(etas[0].stpId, "30074");
  assert.equal(etas[0].destSt, "30057");
  assert.equal(etas[0].destNm, "Ashland/63rd");
  assert.equal(etas[0].isApp, "1");
  assert.equal(etas[0].isDly, "1");
});

Deno.test("arrivals: routes, stops and max narrow the answer; none leaves eta out", () => {
  const only = (more: Parameters<typeof request>[0]) =>
    (arrivalsResponse(clarkLake, table, request(more), NOW).ctatt.eta as { rn: string }[] ?? [])
      .map((e) => e.rn);
  assert.deepEqual(only({ routes: ["g"] }), ["501", "507"]);
  assert.deepEqual(only({ routes: ["blue", "red"] }), ["103"]);
  assert.deepEqual(only({ max: 2 }), ["501", "103"]);
  assert.deepEqual(only({ stations: [], stops: [30074] }), ["501", "507"]);
  assert.deepEqual(only({ stations: [40380], stops: [30074] }), ["501", "103", "507"]);
  const none = arrivalsResponse(clarkLake, table, request({ routes: ["brn"] }), NOW);
  assert.equal("eta" in none.ctatt, false);
  assert.equal(none.ctatt.errCd, "0");
});

Deno.test("arrivals: due means next stop and within a minute", () => {
  const board = view([[40900, "red", "a", [
    predicted("RL001", 1, { stops_away: 0 }),
    predicted("RL002", 2, { stops_away: 0 }),
    predicted("RL003", 0.5, { stops_away: 1 }),
    predicted("RL004", -0.2, { stops_away: 0 }),
  ]]]);
  const etas = arrivalsResponse(board, table, request({ stations: [40900] }), NOW).ctatt
    .eta as Record<string, string>[];
  assert.deepEqual(etas.map((e) => [e.rn, e.isApp]), [
    ["804", "1"],
    ["803", "0"],
    ["801", "1"],
    ["802", "0"],
  ]);
  assert.equal(etas[0].stpDe, "Service toward Howard");
});

Deno.test("positions: trains in service per route, heading for their soonest stop", () => {
  const state = view(
    [
      [41450, "red", "b", [
        predicted("RL004", 3, { stops_away: 1, destination_station_id: 40450 }),
      ]],
      [40330, "red", "b", [
        predicted("RL004", 1, { stops_away: 0, destination_station_id: 40450 }),
        predicted("RL006", 6, { broken_down: true, destination_station_id: 40450 }),
      ]],
      [41400, "red", "a", [predicted("RL001", 2, { destination_station_id: 40900 })]],
    ],
    [
      { train_id: "RL004", direction: "b" },
      { train_id: "RL001", direction: "a" },
      { train_id: "RL006", direction: "b", status: "broken_down" },
      { train_id: "RL009", direction: "b", status: "out_of_service" },
      { train_id: "RL010", direction: "b" },
    ],
  );
  const { ctatt } = positionsResponse(state, table, { routes: ["blue", "red", "brn"] }, NOW);
  const routes = ctatt.route as { "@name": string; train?: Record<string, unknown>[] }[];
  assert.deepEqual(routes.map((r) => r["@name"]), ["blue", "red", "brn"]);
  assert.equal("train" in routes[0], false);
  assert.equal("train" in routes[2], false);
  const trains = routes[1].train!;
  assert.deepEqual(trains.map((t) => t.rn), ["801", "804", "806"]);
  assert.deepEqual(trains[1], {
    rn: "804",
    destSt: String(table.platform(40450, "red", "b")!.stopId),
    destNm: "95th/Dan Ryan",
    trDr: "5",
    nextStaId: "40330",
    nextStpId: String(table.platform(40330, "red", "b")!.stopId),
    nextStaNm: "Grand",
    prdt: "2026-01-05T07:59:30",
    arrT: "2026-01-05T08:01:00",
    isApp: "1",
    isDly: "0",
    flags: null,
    lat: null,
    lon: null,
    heading: null,
  });
  assert.equal(trains[0].trDr, "1");
  assert.equal(trains[0].destSt, "30173");
  assert.equal(trains[2].isDly, "1");
});

Deno.test("follow: every stop of one train soonest first, or CTA's 501 and 503", () => {
  const state = view(
    [
      [40330, "red", "b", [
        predicted("RL004", 1, { stops_away: 0, destination_station_id: 40450 }),
      ]],
      [41450, "red", "b", [
        predicted("RL002", 2),
        predicted("RL004", 3, { stops_away: 1, destination_station_id: 40450 }),
      ]],
    ],
    [{ train_id: "RL004", direction: "b" }, { train_id: "RL005", direction: "b" }],
  );
  const { ctatt } = followResponse(state, table, { run: "804" }, NOW);
  assert.deepEqual(ctatt.position, { lat: null, lon: null, heading: null });
  const etas = ctatt.eta as Record<string, unknown>[];
  assert.deepEqual(etas.map((e) => e.staNm), ["Grand", "Chicago"]);
  assert.equal(etas[0].rt, "Red Line");
  assert.equal(etas[0].rn, "804");
  assert.equal("lat" in etas[0], false);
  assert.deepEqual(followResponse(state, table, { run: "899" }, NOW), {
    ctatt: {
      tmst: "2026-01-05T08:00:00",
      errCd: "501",
      errNm: "No trains with runnumber 899 were found.",
    },
  });
  assert.equal(followResponse(state, table, { run: "abc" }, NOW).ctatt.errCd, "501");
  assert.equal(followResponse(state, table, { run: "805" }, NOW).ctatt.errCd, "503");
});

Deno.test("errors carry CTA's code and message and nothing else", () => {
  assert.deepEqual(errorResponse(NOW, { errCd: 100, errNm: "missing" }), {
    ctatt: { tmst: "2026-01-05T08:00:00", errCd: "100", errNm: "missing" },
  });
});
