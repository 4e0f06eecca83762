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
import type { Alert } from "../lib/contracts/alerts.ts";
import type { PlatformPredictions } from "../lib/contracts/predictions.ts";
import { type PlatformKey, platformKey } from "../lib/contracts/platform_key.ts";

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
  /** Event time of the train's last report; null for records written before event_time. */
  reported_at: number | null;
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
  /** The next trains per platform, by `platformKey`. */
  predictions: Record<string, PlatformPredictions>;
  /** Active alerts by alert_id. */
  alerts: Record<string, Alert>;
  /**
   * The event-time clock: the newest event_time reported by any train, or null before any. A
   * train's freshness is measured against it, not against the wall clock, because the
   * simulation's clock runs at its own pace.
   */
  clock: number | null;
  /** Timestamp (ms) of the newest record applied, or null before any. */
  updatedAt: number | null;
}

export type Change =
  | { kind: "station"; line: Line; station: Station }
  | { kind: "stationRemoved"; line: Line; station_id: number }
  | { kind: "train"; train: Train }
  | { kind: "trainRemoved"; train_id: string }
  | { kind: "predictions"; platform: PlatformPredictions }
  | { kind: "predictionsCleared"; platform: PlatformKey }
  | { kind: "alert"; alert: Alert }
  | { kind: "alertCleared"; alert_id: string }
  | { kind: "turnstile"; station_id: number; count: number }
  | { kind: "weather"; weather: Weather };

export function emptyState(): DashboardState {
  const lines = {} as Record<Line, Station[]>;
  for (const line of LINES) lines[line] = [];
  return {
    lines,
    trains: {},
    turnstiles: {},
    weather: null,
    predictions: {},
    alerts: {},
    clock: null,
    updatedAt: null,
  };
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
    case "train": {
      // A train is in one place at a time: setting its place clears the previous one.
      const reportedAt = change.train.reported_at;
      const known = state.trains[change.train.train_id];
      // A report older than the one shown (a replayed or late record) changes nothing.
      if (known?.reported_at != null && reportedAt != null && reportedAt < known.reported_at) {
        return false;
      }
      state.trains[change.train.train_id] = change.train;
      if (reportedAt !== null && (state.clock === null || reportedAt > state.clock)) {
        state.clock = reportedAt;
      }
      return true;
    }
    case "trainRemoved":
      if (!(change.train_id in state.trains)) return false;
      delete state.trains[change.train_id];
      return true;
    case "predictions":
      state.predictions[platformKey(change.platform)] = change.platform;
      return true;
    case "predictionsCleared":
      delete state.predictions[platformKey(change.platform)];
      return true;
    case "alert":
      state.alerts[change.alert.alert_id] = change.alert;
      return true;
    case "alertCleared":
      if (!(change.alert_id in state.alerts)) return false;
      delete state.alerts[change.alert_id];
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
    case "trainRemoved":
      return `train:${change.train_id}`;
    case "predictions":
    case "predictionsCleared":
      return `predictions:${platformKey(change.platform)}`;
    case "alert":
      return `alert:${change.alert.alert_id}`;
    case "alertCleared":
      return `alert:${change.alert_id}`;
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

/**
 * The trains of a line at each station and direction, in train order: grouped once, so that a
 * board of every station asks in constant time.
 */
export function trainsByPlatform(
  state: DashboardState,
  line: Line,
): (stationId: number, direction: Direction) => Train[] {
  const byPlatform = new Map<string, Train[]>();
  const trains = Object.values(state.trains).filter((t) => t.line === line)
    .sort((x, y) => x.train_id.localeCompare(y.train_id));
  for (const train of trains) {
    const key = `${train.station_id}:${train.direction}`;
    const here = byPlatform.get(key);
    if (here) here.push(train);
    else byPlatform.set(key, [train]);
  }
  return (stationId, direction) => byPlatform.get(`${stationId}:${direction}`) ?? [];
}

export function cloneState(state: DashboardState): DashboardState {
  return structuredClone(state);
}
