/**
 * org.chicago.cta.stations.transformed: one record per station and line, written by the
 * stations stage. Key `{"station_id", "line"}`, because Clark/Lake and Roosevelt serve two lines
 * and a bare station id would let compaction drop one of them; a tombstone removes the station
 * from the key's line.
 */
import { jsonPart, type JsonTopicContract } from "./contract.ts";
import { isLine, type Line } from "./enums.ts";
import { integer, object, oneOf, text } from "./shape.ts";

export interface TransformedKey {
  station_id: number;
  /** Absent in keys that name no line (`{station_id}` or a bare id): the station on every line. */
  line?: Line;
}

export interface TransformedStation {
  station_id: number;
  station_name: string;
  order: number;
  line: Line;
}

export function transformedKey(stationId: number, line: Line): string {
  return JSON.stringify({ station_id: stationId, line });
}

/** Always the same text for the same station, so that a writer can compare it with what it wrote. */
export function transformedValue(station: TransformedStation): string {
  const { station_id, station_name, order, line } = station;
  return JSON.stringify({ station_id, station_name, order, line });
}

function checkKey(json: unknown): TransformedKey {
  if (typeof json === "number") return { station_id: integer({ station_id: json }, "station_id") };
  const k = object(json, "station key");
  const stationId = integer(k, "station_id");
  return k.line === undefined
    ? { station_id: stationId }
    : { station_id: stationId, line: oneOf(k, "line", isLine) };
}

function checkStation(json: unknown): TransformedStation {
  const v = object(json, "station value");
  return {
    station_id: integer(v, "station_id"),
    station_name: text(v, "station_name"),
    order: integer(v, "order"),
    line: oneOf(v, "line", isLine),
  };
}

export const STATIONS_TRANSFORMED: JsonTopicContract<TransformedKey, TransformedStation> = {
  name: "org.chicago.cta.stations.transformed",
  compacted: true,
  key: jsonPart((k) => JSON.stringify({ station_id: k.station_id, line: k.line }), checkKey),
  value: jsonPart(transformedValue, checkStation),
};
