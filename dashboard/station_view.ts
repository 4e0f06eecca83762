/**
 * What a station page shows, from the dashboard state: the station's name, the lines that serve
 * it, and for each line and direction the next trains in words. Pure; the server render and the
 * browser island both use it.
 *
 * Minutes until a train are measured on the event-time clock (`state.clock`), not the wall clock,
 * because the simulation runs at its own pace. A train is
 * - "Due" when it is one minute away or less (or overdue),
 * - "Approaching" when its next stop is this station (`stops_away` 0: it is at the station
 *   before) and it is at most two minutes away,
 * - otherwise "N min", N rounded to the nearest minute.
 */
import { type Direction, DIRECTIONS, type Line, LINES } from "../lib/contracts/enums.ts";
import { platformKey } from "../lib/contracts/platform_key.ts";
import type { DashboardState, Station } from "./state.ts";

export const LINE_LABELS: Record<Line, string> = {
  red: "Red Line",
  blue: "Blue Line",
  green: "Green Line",
};

const MINUTE_MS = 60_000;
export const DUE_MINUTES = 1;
export const APPROACHING_MINUTES = 2;
/** At most this many trains are listed per direction. */
export const ARRIVALS_SHOWN = 4;

export type TrainCondition = "on_time" | "delayed" | "broken_down";

export const CONDITION_WORDS: Record<TrainCondition, string> = {
  on_time: "On time",
  delayed: "Delayed",
  broken_down: "Broken down, time uncertain",
};

export interface ArrivalView {
  train_id: string;
  destination: string;
  /** "Due", "Approaching" or "N min". */
  when: string;
  /** Whole minutes away (0 when due or overdue), for sorting and tests. */
  minutes: number;
  condition: TrainCondition;
  conditionWords: string;
}

export interface DirectionView {
  line: Line;
  direction: Direction;
  /** "Toward 95th/Dan Ryan": the terminal of the line in that direction. */
  toward: string;
  arrivals: ArrivalView[];
}

export interface StationView {
  station_id: number;
  name: string;
  lines: Line[];
  directions: DirectionView[];
  /** Turnstile entries since the start of the feed, or null before any count. */
  entries: number | null;
  /** The event-time clock the minutes are counted from, or null before any train reported. */
  clock: number | null;
}

export function whenWords(arrivalTime: number, clock: number, stopsAway: number) {
  const exact = (arrivalTime - clock) / MINUTE_MS;
  if (exact <= DUE_MINUTES) return { when: "Due", minutes: 0 };
  const minutes = Math.round(exact);
  if (stopsAway === 0 && exact <= APPROACHING_MINUTES) return { when: "Approaching", minutes };
  return { when: `${minutes} min`, minutes };
}

/** The station's name on any line that lists it, or null when no line does. */
export function stationName(state: DashboardState, stationId: number): string | null {
  for (const line of LINES) {
    const found = state.lines[line].find((s) => s.station_id === stationId);
    if (found) return found.station_name;
  }
  return null;
}

export function linesServing(state: DashboardState, stationId: number): Line[] {
  return LINES.filter((line) => state.lines[line].some((s) => s.station_id === stationId));
}

/** Direction "b" runs toward the end of the line's order, "a" toward its start. */
function terminal(stations: Station[], direction: Direction): Station | undefined {
  return direction === "b" ? stations[stations.length - 1] : stations[0];
}

export function stationView(state: DashboardState, stationId: number): StationView | null {
  const name = stationName(state, stationId);
  if (name === null) return null;
  const lines = linesServing(state, stationId);
  const clock = state.clock;
  const directions: DirectionView[] = [];
  for (const line of lines) {
    for (const direction of DIRECTIONS) {
      const end = terminal(state.lines[line], direction);
      const platform = state.predictions[platformKey({ station_id: stationId, line, direction })];
      const arrivals = (platform?.arrivals ?? [])
        .toSorted((x, y) => x.arrival_time - y.arrival_time)
        .slice(0, ARRIVALS_SHOWN)
        .map((a): ArrivalView => {
          const condition: TrainCondition = a.broken_down
            ? "broken_down"
            : a.delayed
            ? "delayed"
            : "on_time";
          const timing = clock === null
            ? { when: "Time unknown", minutes: 0 }
            : whenWords(a.arrival_time, clock, a.stops_away);
          return {
            train_id: a.train_id,
            destination: stationName(state, a.destination_station_id) ??
              `station ${a.destination_station_id}`,
            ...timing,
            condition,
            conditionWords: CONDITION_WORDS[condition],
          };
        });
      directions.push({
        line,
        direction,
        toward: end ? `Toward ${end.station_name}` : `Direction ${direction}`,
        arrivals,
      });
    }
  }
  const count = state.turnstiles[String(stationId)];
  return {
    station_id: stationId,
    name,
    lines,
    directions,
    entries: count === undefined ? null : count,
    clock,
  };
}
