/** org.chicago.cta.turnstiles: one event per rider entry, written by the simulation. */
import keySchema from "../../schemas/turnstile_key.avsc" with { type: "text" };
import valueSchema from "../../schemas/turnstile_value.avsc" with { type: "text" };
import { avroPart, type AvroTopicContract } from "./contract.ts";
import { integer, object, RecordShapeError, text } from "./shape.ts";

export interface TurnstileKey {
  station_id: number;
}

export interface TurnstileValue {
  station_id: number;
  station_name: string;
  line: string;
  /**
   * Milliseconds since the epoch on the simulation's clock. Null or absent in records written
   * before the field existed; the simulation always sets it.
   */
  event_time?: number | null;
}

/**
 * The station an entry counts for, or the reason it is unusable. This is all the summary reads
 * of a value, so an entry of any writer schema with a positive integer station_id counts.
 */
export function stationOf(decoded: unknown): { stationId: number } | { reason: string } {
  const stationId = (decoded as Partial<TurnstileValue> | null)?.station_id;
  if (typeof stationId !== "number" || !Number.isInteger(stationId) || stationId <= 0) {
    return { reason: `station_id must be a positive integer, got ${JSON.stringify(stationId)}` };
  }
  return { stationId };
}

function checkValue(decoded: unknown): TurnstileValue {
  const station = stationOf(decoded);
  if ("reason" in station) throw new RecordShapeError(station.reason);
  const v = object(decoded, "turnstile value");
  return {
    station_id: station.stationId,
    station_name: text(v, "station_name"),
    line: text(v, "line"),
    event_time: v.event_time === null || v.event_time === undefined
      ? null
      : integer(v, "event_time"),
  };
}

export const TURNSTILES: AvroTopicContract<TurnstileKey, TurnstileValue> = {
  name: "org.chicago.cta.turnstiles",
  compacted: false,
  key: avroPart(keySchema, (decoded) => ({
    station_id: integer(object(decoded, "turnstile key"), "station_id"),
  })),
  value: avroPart(valueSchema, checkValue),
};
