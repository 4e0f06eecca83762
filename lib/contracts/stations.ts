/**
 * org.chicago.cta.stations: the `stations` table as Kafka Connect streams it, one record per
 * platform stop. Key `{"stop_id": n}` and the row as flat JSON, both without the CDC envelope;
 * a deleted row is a null value (a tombstone).
 */
import { jsonPart, type JsonTopicContract } from "./contract.ts";
import { type Line, LINES } from "./enums.ts";
import { integer, object, RecordShapeError, shapeOrReason } from "./shape.ts";

export interface StationKey {
  stop_id: number;
}

/** A stop, with a flag per line that it serves. */
export type StationRow =
  & {
    stop_id: number;
    station_id: number;
    station_name: string;
    order: number;
  }
  & Record<Line, boolean>;

export type ParsedRow = { row: StationRow } | { deleted: true } | { reason: string };

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

function checkKey(json: unknown): StationKey {
  return { stop_id: integer(object(json, "key"), "stop_id") };
}

/** A row as Connect writes it; other columns of the table are left out. */
function checkRow(json: unknown): StationRow {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new RecordShapeError("value is not a JSON object");
  }
  const parsed = json as Record<string, unknown>;
  for (const field of ["stop_id", "station_id", "order"]) {
    if (!isInteger(parsed[field])) throw new RecordShapeError(`${field} must be an integer`);
  }
  if (typeof parsed.station_name !== "string" || parsed.station_name.trim() === "") {
    throw new RecordShapeError("station_name must be a non-empty string");
  }
  const lines = {} as Record<Line, boolean>;
  for (const line of LINES) {
    const serves = parsed[line];
    if (typeof serves !== "boolean") throw new RecordShapeError(`${line} must be a boolean`);
    lines[line] = serves;
  }
  return {
    stop_id: parsed.stop_id as number,
    station_id: parsed.station_id as number,
    station_name: parsed.station_name,
    order: parsed.order as number,
    ...lines,
  };
}

export const STATIONS: JsonTopicContract<StationKey, StationRow> = {
  name: "org.chicago.cta.stations",
  compacted: true,
  key: jsonPart((k) => JSON.stringify({ stop_id: k.stop_id }), checkKey),
  value: jsonPart((row) => JSON.stringify(row), checkRow),
};

/** Reads a row, or its deletion (null, or the text `null`), or the reason it is unusable. */
export function parseStationRow(text: string | null): ParsedRow {
  if (text === null || text === "null") return { deleted: true };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { reason: "value is not JSON" };
  }
  return shapeOrReason(() => ({ row: checkRow(json) }));
}

/** The stop id carried by a Connect key `{"stop_id": n}`. */
export function parseStopKey(text: string | null): number | null {
  if (text === null) return null;
  try {
    return checkKey(JSON.parse(text)).stop_id;
  } catch {
    return null;
  }
}
