/**
 * The query strings of the three Train Tracker endpoints, checked as CTA documents them: an
 * answer is either a request or CTA's error code and message. Parameter names are matched
 * without regard to case (as CTA's server does); a parameter may be repeated or hold a
 * comma-separated list. `key` is accepted and ignored, and `outputType` too: the answer is
 * always JSON.
 */
import { type RouteCode, routeCode } from "./lines.ts";

export interface TrainTrackerError {
  errCd: number;
  errNm: string;
}

export type Parsed<T> = { ok: true; request: T } | { ok: false; error: TrainTrackerError };

export interface ArrivalsRequest {
  stations: number[];
  stops: number[];
  /** Empty for every route. */
  routes: RouteCode[];
  max: number | null;
}

export interface PositionsRequest {
  /** Distinct, in the order asked. */
  routes: RouteCode[];
}

export interface FollowRequest {
  run: string;
}

/** What the arrivals check needs to know of the network. */
export interface KnownStops {
  stationName(stationId: number): string | undefined;
  stop(stopId: number): unknown;
}

const MAX_ARRIVALS_IDS = 4;
const MAX_ARRIVALS_ROUTES = 4;
const MAX_POSITIONS_ROUTES = 8;
const INTEGER = /^-?\d+$/;

const fail = (errCd: number, errNm: string) => ({ ok: false as const, error: { errCd, errNm } });

/** Values per lower-cased name, lists split, blanks dropped; or the first name not allowed. */
function collect(
  query: URLSearchParams,
  allowed: readonly string[],
): { values: Map<string, string[]> } | { unknown: string } {
  const values = new Map<string, string[]>();
  for (const [rawName, raw] of query) {
    const name = rawName.toLowerCase();
    if (!allowed.includes(name)) return { unknown: rawName };
    const list = values.get(name) ?? [];
    for (const piece of raw.split(",")) {
      const value = piece.trim();
      if (value !== "") list.push(value);
    }
    values.set(name, list);
  }
  return { values };
}

function routes(
  values: string[],
  max: number,
  tooMany: string,
  invalid: (value: string) => string,
): Parsed<RouteCode[]> {
  if (values.length > max) return fail(107, tooMany);
  const codes: RouteCode[] = [];
  for (const value of values) {
    const code = routeCode(value);
    if (code === null) return fail(106, invalid(value));
    if (!codes.includes(code)) codes.push(code);
  }
  return { ok: true, request: codes };
}

function ids(
  values: string[],
  notInteger: (value: string) => TrainTrackerError,
  tooMany: TrainTrackerError,
  unknown: (value: string) => TrainTrackerError | null,
): Parsed<number[]> {
  const bad = values.find((v) => !INTEGER.test(v));
  if (bad !== undefined) return { ok: false, error: notInteger(bad) };
  if (values.length > MAX_ARRIVALS_IDS) return { ok: false, error: tooMany };
  for (const v of values) {
    const error = unknown(v);
    if (error) return { ok: false, error };
  }
  return { ok: true, request: [...new Set(values.map(Number))] };
}

export function parseArrivals(query: URLSearchParams, known: KnownStops): Parsed<ArrivalsRequest> {
  const got = collect(query, ["mapid", "stpid", "rt", "max", "key", "outputtype"]);
  if ("unknown" in got) return fail(500, `Invalid parameter: ${got.unknown}`);
  const get = (name: string) => got.values.get(name) ?? [];
  if (get("mapid").length === 0 && get("stpid").length === 0) {
    return fail(100, "Required parameter 'mapid or stpid' is missing.");
  }
  const stations = ids(
    get("mapid"),
    (v) => ({ errCd: 104, errNm: `Mapid's need to be integers: ${v}` }),
    { errCd: 105, errNm: `Maximum of mapid's you can request is ${MAX_ARRIVALS_IDS}.` },
    (v) =>
      known.stationName(Number(v)) === undefined
        ? { errCd: 103, errNm: `Invalid mapid: ${v}` }
        : null,
  );
  if (!stations.ok) return stations;
  const stops = ids(
    get("stpid"),
    (v) => ({ errCd: 112, errNm: `Stpid's need to be integers: ${v}` }),
    { errCd: 109, errNm: `Maximum of stpid's you can request is ${MAX_ARRIVALS_IDS}.` },
    (v) =>
      known.stop(Number(v)) === undefined
        ? { errCd: 108, errNm: `Invalid stpId specified: ${v}` }
        : null,
  );
  if (!stops.ok) return stops;
  const rts = routes(
    get("rt"),
    MAX_ARRIVALS_ROUTES,
    `Maximum of rt's you can request is ${MAX_ARRIVALS_ROUTES}.`,
    (v) => `Invalid Route Identifier: ${v}`,
  );
  if (!rts.ok) return rts;
  let max: number | null = null;
  const maxValues = get("max");
  if (maxValues.length > 0) {
    const text = maxValues.join(",");
    if (maxValues.length > 1 || !INTEGER.test(text)) {
      return fail(110, `Invalid max specified: ${text}`);
    }
    max = Number(text);
    if (max < 1) return fail(111, "Parameter 'max' must be a positive integer.");
  }
  return {
    ok: true,
    request: { stations: stations.request, stops: stops.request, routes: rts.request, max },
  };
}

export function parsePositions(query: URLSearchParams): Parsed<PositionsRequest> {
  const got = collect(query, ["rt", "key", "outputtype"]);
  if ("unknown" in got) return fail(500, `Invalid parameter: ${got.unknown}`);
  const values = got.values.get("rt") ?? [];
  if (values.length === 0) return fail(100, "Required parameter 'rt' is missing.");
  const rts = routes(
    values,
    MAX_POSITIONS_ROUTES,
    `Maximum number of rt's per request is ${MAX_POSITIONS_ROUTES}.`,
    (v) => `Invalid route identifier: ${v}.`,
  );
  return rts.ok ? { ok: true, request: { routes: rts.request } } : rts;
}

export function parseFollow(query: URLSearchParams): Parsed<FollowRequest> {
  const got = collect(query, ["runnumber", "key", "outputtype"]);
  if ("unknown" in got) return fail(500, `Invalid parameter: ${got.unknown}`);
  const values = got.values.get("runnumber") ?? [];
  if (values.length === 0) return fail(100, "Required parameter 'runnumber' is missing.");
  return { ok: true, request: { run: values.join(",") } };
}
