/**
 * org.chicago.cta.predictions: the next trains expected at a station in one direction of one
 * line, written by the predictions stage. Key `{"station_id", "line", "direction"}`; compacted,
 * so the latest record per key is the board of that platform. A tombstone empties it.
 */
import { jsonPart, type JsonTopicContract } from "./contract.ts";
import { isDirection, isLine } from "./enums.ts";
import { integer, object, oneOf, RecordShapeError, text } from "./shape.ts";
import { type PlatformKey, platformKey } from "./platform_key.ts";

export { type PlatformKey, platformKey };

export interface PredictedArrival {
  train_id: string;
  /** Milliseconds since the epoch, on the event-time clock of the arrivals. */
  arrival_time: number;
  /** The station the train last reported at, and when. */
  from_station_id: number;
  reported_at: number;
  /** Stations between where the train is and this one, 0 when it is at the one before. */
  stops_away: number;
  /** The terminal the train is heading for. */
  destination_station_id: number;
  /** Later than learned travel times say, or held at a station. */
  delayed: boolean;
  /** Broken down where it stands: the arrival time is a guess. */
  broken_down: boolean;
}

export interface PlatformPredictions extends PlatformKey {
  /** Event time of the arrival that produced this record. */
  generated_at: number;
  /** Soonest first. */
  arrivals: PredictedArrival[];
}

function checkKey(json: unknown): PlatformKey {
  const k = object(json, "platform key");
  return {
    station_id: integer(k, "station_id"),
    line: oneOf(k, "line", isLine),
    direction: oneOf(k, "direction", isDirection),
  };
}

function flag(fields: Record<string, unknown>, name: string): boolean {
  const value = fields[name];
  if (typeof value !== "boolean") throw new RecordShapeError(`${name} is not a boolean`);
  return value;
}

function checkArrival(json: unknown): PredictedArrival {
  const a = object(json, "predicted arrival");
  return {
    train_id: text(a, "train_id"),
    arrival_time: integer(a, "arrival_time"),
    from_station_id: integer(a, "from_station_id"),
    reported_at: integer(a, "reported_at"),
    stops_away: integer(a, "stops_away"),
    destination_station_id: integer(a, "destination_station_id"),
    delayed: flag(a, "delayed"),
    broken_down: flag(a, "broken_down"),
  };
}

function checkValue(json: unknown): PlatformPredictions {
  const v = object(json, "platform predictions");
  if (!Array.isArray(v.arrivals)) throw new RecordShapeError("arrivals is not an array");
  return {
    ...checkKey(v),
    generated_at: integer(v, "generated_at"),
    arrivals: v.arrivals.map(checkArrival),
  };
}

export const PREDICTIONS: JsonTopicContract<PlatformKey, PlatformPredictions> = {
  name: "org.chicago.cta.predictions",
  compacted: true,
  key: jsonPart(platformKey, checkKey),
  value: jsonPart((v) => JSON.stringify(v), checkValue),
};
