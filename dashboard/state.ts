/**
 * The dashboard's state and the changes that move it. Pure: the server applies changes decoded
 * from Kafka, and the browser applies the same changes received as SSE deltas.
 */
import {
  type Direction,
  type Line,
  LINES,
  type TrainStatus,
  type WeatherStatus,
} from "../lib/contracts/enums.ts";

export interface Station {
  station_id: number;
  station_name: string;
  order: number;
}

export interface Train {
  train_id: string;
  line: Line;
  station_id: number;
  direction: Direction;
  status: TrainStatus;
}

export interface Weather {
  timestamp: number;
  temperature: number;
  status: WeatherStatus;
}

export interface DashboardState {
  /** Stations of each line, sorted by order. */
  lines: Record<Line, Station[]>;
  /** Where each train is now, by train id. */
  trains: Record<string, Train>;
  /** Turnstile entries by station id. */
  turnstiles: Record<string, number>;
  weather: Weather | null;
  /** Timestamp (ms) of the newest record applied, or null before any. */
  updatedAt: number | null;
}

export type Change =
  | { kind: "station"; line: Line; station: Station }
  | { kind: "stationRemoved"; line: Line; station_id: number }
  | { kind: "train"; train: Train }
  | { kind: "turnstile"; station_id: number; count: number }
  | { kind: "weather"; weather: Weather };

export function emptyState(): DashboardState {
  const lines = {} as Record<Line, Station[]>;
  for (const line of LINES) lines[line] = [];
  return { lines, trains: {}, turnstiles: {}, weather: null, updatedAt: null };
}

function upsertStation(stations: Station[], station: Station): Station[] {
  const rest = stations.filter((s) => s.station_id !== station.station_id);
  rest.push(station);
  return rest.sort((x, y) => x.order - y.order || x.station_id - y.station_id);
}

/**
 * Applies one change in place and tells whether it took effect (an older weather reading does
 * not). Every change carries the full new value of what it touches, so applying a change twice
 * (a snapshot followed by a delta that overlaps it) is harmless.
 */
export function applyChange(state: DashboardState, change: Change): boolean {
  switch (change.kind) {
    case "station":
      state.lines[change.line] = upsertStation(state.lines[change.line], change.station);
      return true;
    case "stationRemoved":
      state.lines[change.line] = state.lines[change.line].filter((s) =>
        s.station_id !== change.station_id
      );
      return true;
    case "train":
      // A train is in one place at a time: setting its place clears the previous one.
      state.trains[change.train.train_id] = change.train;
      return true;
    case "turnstile":
      state.turnstiles[String(change.station_id)] = change.count;
      return true;
    case "weather":
      if (state.weather && change.weather.timestamp < state.weather.timestamp) return false;
      state.weather = change.weather;
      return true;
  }
}

export function applyChanges(
  state: DashboardState,
  changes: readonly Change[],
  updatedAt: number | null,
): void {
  for (const change of changes) applyChange(state, change);
  if (updatedAt !== null && (state.updatedAt === null || updatedAt > state.updatedAt)) {
    state.updatedAt = updatedAt;
  }
}

/** The identity of what a change touches: of two changes with one identity, the later wins. */
export function changeKey(change: Change): string {
  switch (change.kind) {
    case "station":
      return `station:${change.line}:${change.station.station_id}`;
    case "stationRemoved":
      return `station:${change.line}:${change.station_id}`;
    case "train":
      return `train:${change.train.train_id}`;
    case "turnstile":
      return `turnstile:${change.station_id}`;
    case "weather":
      return "weather";
  }
}

/** Keeps the last change per identity, in the order identities were last touched. */
export function coalesce(changes: readonly Change[]): Change[] {
  const latest = new Map<string, Change>();
  for (const change of changes) {
    const key = changeKey(change);
    latest.delete(key);
    latest.set(key, change);
  }
  return [...latest.values()];
}

export function trainsAt(
  state: DashboardState,
  line: Line,
  stationId: number,
  direction: Direction,
): Train[] {
  return Object.values(state.trains)
    .filter((t) => t.line === line && t.station_id === stationId && t.direction === direction)
    .sort((x, y) => x.train_id.localeCompare(y.train_id));
}

export function cloneState(state: DashboardState): DashboardState {
  return structuredClone(state);
}
