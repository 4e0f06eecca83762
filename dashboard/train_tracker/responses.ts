/**
 * The dashboard's state as Train Tracker answers: the `ctatt` envelope of the Arrivals,
 * Locations and Follow This Train APIs with CTA's field names, every value a string (or null
 * where CTA sends null) and every time Chicago local time.
 *
 * `now` is the event-time clock of the state (the newest event time a train reported), so that
 * tmst, prdt and arrT share one clock: the simulation's. It also decides isApp ("Due"): a train
 * whose next stop is this one and that is expected within a minute.
 *
 * The simulation has no coordinates, no schedule and no schedule faults: lat, lon and heading
 * are null, isSch and isFlt "0". isDly is "1" for a train that is delayed or broken down.
 */
import type { Direction, Line } from "../../lib/contracts/enums.ts";
import {
  platformKey,
  type PlatformPredictions,
  type PredictedArrival,
} from "../../lib/contracts/predictions.ts";
import type { DashboardState } from "../state.ts";
import { chicagoLocalIso } from "../chicago_time.ts";
import {
  ARRIVALS_ROUTE,
  DIRECTION_CODE,
  FOLLOW_ROUTE,
  lineOfRoute,
  runNumber,
  trainOfRun,
} from "./lines.ts";
import type {
  ArrivalsRequest,
  FollowRequest,
  PositionsRequest,
  TrainTrackerError,
} from "./params.ts";
import type { Platform, StopTable } from "./stops.ts";

export type TrackerView = Pick<DashboardState, "predictions" | "trains">;

export interface Ctatt {
  ctatt: { tmst: string; errCd: string; errNm: string | null; [field: string]: unknown };
}

const DUE_WITHIN_MS = 60_000;

function ok(now: number, body: Record<string, unknown>): Ctatt {
  return { ctatt: { tmst: chicagoLocalIso(now), errCd: "0", errNm: null, ...body } };
}

export function errorResponse(now: number, error: TrainTrackerError): Ctatt {
  return { ctatt: { tmst: chicagoLocalIso(now), errCd: String(error.errCd), errNm: error.errNm } };
}

const flag = (value: boolean) => (value ? "1" : "0");

function isDue(arrival: PredictedArrival, now: number): boolean {
  return arrival.stops_away === 0 && arrival.arrival_time - now <= DUE_WITHIN_MS;
}

function destination(table: StopTable, line: Line, direction: Direction, stationId: number) {
  return {
    destSt: String(table.platform(stationId, line, direction)?.stopId ?? 0),
    destNm: table.stationName(stationId) ?? "",
  };
}

/** One prediction as an `eta`, the fields in CTA's order. */
function eta(
  table: StopTable,
  platform: Platform,
  arrival: PredictedArrival,
  now: number,
  route: string,
) {
  return {
    staId: String(platform.stationId),
    stpId: String(platform.stopId),
    staNm: platform.stationName,
    stpDe: platform.description,
    rn: runNumber(arrival.train_id, platform.line) ?? "0",
    rt: route,
    ...destination(table, platform.line, platform.direction, arrival.destination_station_id),
    trDr: DIRECTION_CODE[platform.direction],
    prdt: chicagoLocalIso(arrival.reported_at),
    arrT: chicagoLocalIso(arrival.arrival_time),
    isApp: flag(isDue(arrival, now)),
    isSch: "0",
    isDly: flag(arrival.delayed || arrival.broken_down),
    isFlt: "0",
    flags: null,
  };
}

const NO_POSITION = { lat: null, lon: null, heading: null };

function board(view: TrackerView, p: Platform): readonly PredictedArrival[] {
  return view.predictions[
    platformKey({ station_id: p.stationId, line: p.line, direction: p.direction })
  ]?.arrivals ?? [];
}

export function arrivalsResponse(
  view: TrackerView,
  table: StopTable,
  request: ArrivalsRequest,
  now: number,
): Ctatt {
  const lines = new Set(request.routes.map(lineOfRoute));
  const platforms = new Map<number, Platform>();
  const asked = [
    ...request.stations.flatMap((id) => table.stationPlatforms(id)),
    ...request.stops.map((id) => table.stop(id)).filter((p) => p !== undefined),
  ];
  for (const p of asked) {
    if (lines.size === 0 || lines.has(p.line)) platforms.set(p.stopId, p);
  }
  const found: { platform: Platform; arrival: PredictedArrival }[] = [];
  for (const platform of platforms.values()) {
    for (const arrival of board(view, platform)) found.push({ platform, arrival });
  }
  found.sort((x, y) =>
    x.arrival.arrival_time - y.arrival.arrival_time || x.platform.stopId - y.platform.stopId
  );
  const etas = found.slice(0, request.max ?? found.length).map(({ platform, arrival }) => ({
    ...eta(table, platform, arrival, now, ARRIVALS_ROUTE[platform.line]),
    ...NO_POSITION,
  }));
  // Like CTA's, an answer without predictions has no `eta` at all.
  return ok(now, etas.length > 0 ? { eta: etas } : {});
}

interface NextStop {
  board: PlatformPredictions;
  arrival: PredictedArrival;
}

/** Each train's soonest predicted arrival: the station it is heading for next. */
function nextStops(view: TrackerView): Map<string, NextStop> {
  const next = new Map<string, NextStop>();
  for (const board of Object.values(view.predictions)) {
    for (const arrival of board.arrivals) {
      const known = next.get(arrival.train_id);
      if (
        !known || arrival.arrival_time < known.arrival.arrival_time ||
        (arrival.arrival_time === known.arrival.arrival_time &&
          arrival.stops_away < known.arrival.stops_away)
      ) {
        next.set(arrival.train_id, { board, arrival });
      }
    }
  }
  return next;
}

/**
 * Trains in service on each route asked, where they head next. A train without any prediction
 * (one not yet seen leaving a station) is left out, as CTA leaves out trains it cannot place.
 */
export function positionsResponse(
  view: TrackerView,
  table: StopTable,
  request: PositionsRequest,
  now: number,
): Ctatt {
  const next = nextStops(view);
  const routes = request.routes.map((code) => {
    const line = lineOfRoute(code);
    const trains = Object.values(view.trains)
      .filter((t) => t.line === line && t.status !== "out_of_service")
      .flatMap((train) => {
        const stop = next.get(train.train_id);
        const rn = runNumber(train.train_id, train.line);
        if (!stop || stop.board.line !== train.line || rn === null) return [];
        const { board, arrival } = stop;
        return [{
          rn,
          ...destination(table, board.line, board.direction, arrival.destination_station_id),
          trDr: DIRECTION_CODE[board.direction],
          nextStaId: String(board.station_id),
          nextStpId: String(
            table.platform(board.station_id, board.line, board.direction)?.stopId ?? 0,
          ),
          nextStaNm: table.stationName(board.station_id) ?? "",
          prdt: chicagoLocalIso(arrival.reported_at),
          arrT: chicagoLocalIso(arrival.arrival_time),
          isApp: flag(isDue(arrival, now)),
          isDly: flag(arrival.delayed || arrival.broken_down || train.status === "broken_down"),
          flags: null,
          ...NO_POSITION,
        }];
      })
      .sort((x, y) => Number(x.rn) - Number(y.rn));
    return trains.length > 0 ? { "@name": code, train: trains } : { "@name": code };
  });
  return ok(now, { route: routes });
}

/** Every predicted stop of one train, soonest first. */
export function followResponse(
  view: TrackerView,
  table: StopTable,
  request: FollowRequest,
  now: number,
): Ctatt {
  const target = trainOfRun(request.run);
  if (target === null || view.trains[target.trainId]?.line !== target.line) {
    return errorResponse(now, {
      errCd: 501,
      errNm: `No trains with runnumber ${request.run} were found.`,
    });
  }
  const found: { platform: Platform; arrival: PredictedArrival }[] = [];
  for (const board of Object.values(view.predictions)) {
    if (board.line !== target.line) continue;
    const platform = table.platform(board.station_id, board.line, board.direction);
    if (!platform) continue;
    for (const arrival of board.arrivals) {
      if (arrival.train_id === target.trainId) found.push({ platform, arrival });
    }
  }
  if (found.length === 0) {
    return errorResponse(now, { errCd: 503, errNm: "Unable to find predictions." });
  }
  found.sort((x, y) => x.arrival.arrival_time - y.arrival.arrival_time);
  return ok(now, {
    position: NO_POSITION,
    eta: found.map(({ platform, arrival }) =>
      eta(table, platform, arrival, now, FOLLOW_ROUTE[platform.line])
    ),
  });
}
