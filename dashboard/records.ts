/**
 * Turns decoded Kafka records into state changes. Pure: decoding the bytes (JSON, Avro) is the
 * consumer's job; the topic contracts check the shapes and throw RecordShapeError.
 */
import { LINES } from "../lib/contracts/enums.ts";
import { ALERTS } from "../lib/contracts/alerts.ts";
import { ARRIVALS } from "../lib/contracts/arrivals.ts";
import { PREDICTIONS } from "../lib/contracts/predictions.ts";
import { STATIONS_TRANSFORMED } from "../lib/contracts/stations_transformed.ts";
import { TURNSTILE_SUMMARY } from "../lib/contracts/turnstile_summary.ts";
import { WEATHER } from "../lib/contracts/weather.ts";
import type { Change } from "./state.ts";

/**
 * A transformed station record. A null value is a tombstone: the station leaves the line named
 * by the key, or every line when the key names none.
 */
export function stationChanges(key: unknown, value: unknown): Change[] {
  if (value === null || value === undefined) {
    const k = STATIONS_TRANSFORMED.key.parse(key);
    const lines = k.line === undefined ? LINES : [k.line];
    return lines.map((line) => ({ kind: "stationRemoved", line, station_id: k.station_id }));
  }
  const { station_id, station_name, order, line } = STATIONS_TRANSFORMED.value.parse(value);
  return [{ kind: "station", line, station: { station_id, station_name, order } }];
}

/** An arrival: the train is now at station_id in direction (its previous place is implied). */
export function arrivalChanges(value: unknown): Change[] {
  const a = ARRIVALS.value.parse(value);
  return [{
    kind: "train",
    train: {
      train_id: a.train_id,
      line: a.line,
      station_id: a.station_id,
      direction: a.direction,
      status: a.train_status,
      reported_at: a.event_time ?? null,
    },
  }];
}

/** A predictions record: the platform's next trains; a tombstone empties the platform. */
export function predictionChanges(key: unknown, value: unknown): Change[] {
  if (value === null || value === undefined) {
    return [{ kind: "predictionsCleared", platform: PREDICTIONS.key.parse(key) }];
  }
  return [{ kind: "predictions", platform: PREDICTIONS.value.parse(value) }];
}

/** An alerts record: raised or updated; a tombstone clears it. */
export function alertChanges(key: unknown, value: unknown): Change[] {
  if (value === null || value === undefined) {
    return [{ kind: "alertCleared", alert_id: ALERTS.key.parse(key).alert_id }];
  }
  return [{ kind: "alert", alert: ALERTS.value.parse(value) }];
}

/** A TURNSTILE_SUMMARY row; a tombstone resets the count. */
export function turnstileChanges(key: unknown, value: unknown): Change[] {
  if (value === null || value === undefined) {
    return [{ kind: "turnstile", station_id: TURNSTILE_SUMMARY.key.parse(key), count: 0 }];
  }
  const row = TURNSTILE_SUMMARY.value.parse(value);
  return [{ kind: "turnstile", station_id: row.STATION_ID, count: row.COUNT }];
}

export function weatherChanges(key: unknown, value: unknown): Change[] {
  const { timestamp } = WEATHER.key.parse(key);
  const { temperature, status } = WEATHER.value.parse(value);
  return [{ kind: "weather", weather: { timestamp, temperature, status } }];
}

/** Parses a JSON key or value; an empty or absent buffer is null (a tombstone). */
export function parseJson(bytes: Uint8Array | null | undefined): unknown {
  if (!bytes || bytes.length === 0) return null;
  return JSON.parse(new TextDecoder().decode(bytes));
}
