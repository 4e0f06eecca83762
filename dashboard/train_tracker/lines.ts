/**
 * Train Tracker's names for what the project calls lines, directions and train ids: route codes,
 * direction codes (trDr) and run numbers (rn).
 */
import type { Direction, Line } from "../../lib/contracts/enums.ts";

/** The route identifiers CTA accepts in `rt`, lower-cased; only three are simulated here. */
export const CTA_ROUTE_CODES = ["red", "blue", "brn", "g", "org", "p", "pink", "y"] as const;
export type RouteCode = typeof CTA_ROUTE_CODES[number];

const LINE_OF_ROUTE: Partial<Record<RouteCode, Line>> = { red: "red", blue: "blue", g: "green" };

export function routeCode(value: string): RouteCode | null {
  const code = value.toLowerCase();
  return (CTA_ROUTE_CODES as readonly string[]).includes(code) ? code as RouteCode : null;
}

/** The simulated line a route code stands for, or null for a route that is not simulated. */
export function lineOfRoute(code: RouteCode): Line | null {
  return LINE_OF_ROUTE[code] ?? null;
}

/** `rt` of an arrival (`Red`, `Blue`, `G`), `@name` of a positions route (`red`, `blue`, `g`). */
export const ARRIVALS_ROUTE: Record<Line, string> = { red: "Red", blue: "Blue", green: "G" };
export const POSITIONS_ROUTE: Record<Line, RouteCode> = { red: "red", blue: "blue", green: "g" };
/** Follow This Train names the route in full, as CTA's documented responses do. */
export const FOLLOW_ROUTE: Record<Line, string> = {
  red: "Red Line",
  blue: "Blue Line",
  green: "Green Line",
};

/**
 * trDr: 1 is Howard-, O'Hare- and Harlem/Lake-bound, 5 is 95th/Dan Ryan-, Forest Park- and
 * Ashland/63rd-bound. Direction `a` runs towards each line's order 0 (Howard, O'Hare,
 * Harlem/Lake) and `b` towards its last station, so the code does not depend on the line.
 */
export const DIRECTION_CODE: Record<Direction, string> = { a: "1", b: "5" };

/**
 * Run numbers are three digits and tell the line, as CTA's do: train n of a line (its id is the
 * line's letter, `L` and n, e.g. RL004) runs as Red 800 + n, Blue 100 + n, Green 500 + n, for
 * n < 200. Any other train id has no run number.
 */
const RUN_BASE: Record<Line, number> = { red: 800, blue: 100, green: 500 };
const ID_PREFIX: Record<Line, string> = { red: "RL", blue: "BL", green: "GL" };
const TRAINS_PER_RUN_RANGE = 200;

export function runNumber(trainId: string, line: Line): string | null {
  const prefix = ID_PREFIX[line];
  if (!trainId.startsWith(prefix)) return null;
  const digits = trainId.slice(prefix.length);
  if (!/^\d{3}$/.test(digits)) return null;
  const n = Number(digits);
  return n < TRAINS_PER_RUN_RANGE ? String(RUN_BASE[line] + n) : null;
}

/** The train a run number stands for, or null when it is not one `runNumber` gives. */
export function trainOfRun(run: string): { trainId: string; line: Line } | null {
  if (!/^\d{3}$/.test(run)) return null;
  const value = Number(run);
  for (const line of Object.keys(RUN_BASE) as Line[]) {
    const n = value - RUN_BASE[line];
    if (n >= 0 && n < TRAINS_PER_RUN_RANGE) {
      return { trainId: `${ID_PREFIX[line]}${String(n).padStart(3, "0")}`, line };
    }
  }
  return null;
}
