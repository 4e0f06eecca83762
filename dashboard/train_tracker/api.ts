/** A query string in, the `ctatt` answer out, for each of the three endpoints. */
import { parseArrivals, parseFollow, parsePositions } from "./params.ts";
import {
  arrivalsResponse,
  type Ctatt,
  errorResponse,
  followResponse,
  positionsResponse,
  type TrackerView,
} from "./responses.ts";
import type { StopTable } from "./stops.ts";

export type Answer = (
  query: URLSearchParams,
  view: TrackerView,
  table: StopTable,
  now: number,
) => Ctatt;

export const answerArrivals: Answer = (query, view, table, now) => {
  const parsed = parseArrivals(query, table);
  return parsed.ok
    ? arrivalsResponse(view, table, parsed.request, now)
    : errorResponse(now, parsed.error);
};

export const answerPositions: Answer = (query, view, table, now) => {
  const parsed = parsePositions(query);
  return parsed.ok
    ? positionsResponse(view, table, parsed.request, now)
    : errorResponse(now, parsed.error);
};

export const answerFollow: Answer = (query, view, table, now) => {
  const parsed = parseFollow(query);
  return parsed.ok
    ? followResponse(view, table, parsed.request, now)
    : errorResponse(now, parsed.error);
};
