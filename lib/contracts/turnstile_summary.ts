/**
 * TURNSTILE_SUMMARY: the running count of entries per station, written by the summary stage in
 * the shape the KSQL table had. Key: the station id as text; value `{"STATION_ID": n, "COUNT": n}`.
 * One row per station, compacted; a tombstone resets the station's count.
 */
import { jsonPart, type JsonTopicContract } from "./contract.ts";
import { integer, object, RecordShapeError } from "./shape.ts";

export interface SummaryValue {
  STATION_ID: number;
  COUNT: number;
}

export function summaryKey(stationId: number): string {
  return String(stationId);
}

export function summaryValue(stationId: number, count: number): string {
  const value: SummaryValue = { STATION_ID: stationId, COUNT: count };
  return JSON.stringify(value);
}

/** The station of a decoded key: the id itself, or `{"STATION_ID": n}`. */
function checkKey(json: unknown): number {
  if (typeof json === "number") return integer({ STATION_ID: json }, "STATION_ID");
  return integer(object(json, "summary key"), "STATION_ID");
}

function checkValue(json: unknown): SummaryValue {
  const v = object(json, "summary value");
  return { STATION_ID: integer(v, "STATION_ID"), COUNT: integer(v, "COUNT") };
}

export const TURNSTILE_SUMMARY: JsonTopicContract<number, SummaryValue> = {
  name: "TURNSTILE_SUMMARY",
  compacted: true,
  key: jsonPart(summaryKey, checkKey),
  value: jsonPart((v) => summaryValue(v.STATION_ID, v.COUNT), checkValue),
};

/** Reads a summary record's value; null for a tombstone and for anything that is not one. */
export function parseSummaryValue(text: string | null): SummaryValue | null {
  if (text === null) return null;
  try {
    return checkValue(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof RecordShapeError) return null;
    throw error;
  }
}
