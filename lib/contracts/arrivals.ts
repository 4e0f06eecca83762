/** org.chicago.cta.station.arrivals: a train arriving at a station, written by the simulation. */
import keySchema from "../../schemas/arrival_key.avsc" with { type: "text" };
import valueSchema from "../../schemas/arrival_value.avsc" with { type: "text" };
import { avroPart, type AvroTopicContract } from "./contract.ts";
import {
  type Direction,
  isDirection,
  isLine,
  isTrainStatus,
  type Line,
  type TrainStatus,
} from "./enums.ts";
import { type Fields, integer, object, oneOf, text } from "./shape.ts";

export interface ArrivalKey {
  station_id: number;
}

export interface ArrivalValue {
  station_id: number;
  train_id: string;
  direction: Direction;
  line: Line;
  train_status: TrainStatus;
  /** Null on a train's first arrival. */
  prev_station_id: number | null;
  prev_direction: Direction | null;
  /**
   * Milliseconds since the epoch on the simulation's clock. Null or absent in records written
   * before the field existed; the simulation always sets it.
   */
  event_time?: number | null;
}

function nullable<T>(fields: Fields, name: string, read: (fields: Fields, name: string) => T) {
  return fields[name] === null || fields[name] === undefined ? null : read(fields, name);
}

function checkValue(decoded: unknown): ArrivalValue {
  const v = object(decoded, "arrival value");
  return {
    station_id: integer(v, "station_id"),
    train_id: text(v, "train_id"),
    direction: oneOf(v, "direction", isDirection),
    line: oneOf(v, "line", isLine),
    train_status: oneOf(v, "train_status", isTrainStatus),
    prev_station_id: nullable(v, "prev_station_id", integer),
    prev_direction: nullable(v, "prev_direction", (f, n) => oneOf(f, n, isDirection)),
    event_time: nullable(v, "event_time", integer),
  };
}

export const ARRIVALS: AvroTopicContract<ArrivalKey, ArrivalValue> = {
  name: "org.chicago.cta.station.arrivals",
  compacted: false,
  key: avroPart(keySchema, (decoded) => ({
    station_id: integer(object(decoded, "arrival key"), "station_id"),
  })),
  value: avroPart(valueSchema, checkValue),
};
