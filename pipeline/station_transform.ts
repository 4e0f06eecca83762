/**
 * The stations transform, free of I/O: rows of the `stations` table (one per platform stop) in,
 * one record per station and line out. It replaces the seed's Faust agent.
 */
import { type Line, LINES } from "../lib/topics.ts";

export interface StationRow {
  stop_id: number;
  station_id: number;
  station_name: string;
  order: number;
  red: boolean;
  blue: boolean;
  green: boolean;
}

export interface TransformedStation {
  station_id: number;
  station_name: string;
  order: number;
  line: Line;
}

export type ParsedRow = { row: StationRow } | { deleted: true } | { reason: string };

function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/** Reads a row as Kafka Connect writes it: flat JSON, or null for a deleted row. */
export function parseStationRow(value: string | null): ParsedRow {
  if (value === null || value === "null") return { deleted: true };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { reason: "value is not JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { reason: "value is not a JSON object" };
  }
  for (const field of ["stop_id", "station_id", "order"]) {
    if (!isInteger(parsed[field])) return { reason: `${field} must be an integer` };
  }
  if (typeof parsed.station_name !== "string" || parsed.station_name.trim() === "") {
    return { reason: "station_name must be a non-empty string" };
  }
  for (const line of LINES) {
    if (typeof parsed[line] !== "boolean") return { reason: `${line} must be a boolean` };
  }
  return {
    row: {
      stop_id: parsed.stop_id as number,
      station_id: parsed.station_id as number,
      station_name: parsed.station_name,
      order: parsed.order as number,
      red: parsed.red as boolean,
      blue: parsed.blue as boolean,
      green: parsed.green as boolean,
    },
  };
}

/** The stop id carried by a Connect key `{"stop_id": n}`. */
export function parseStopKey(key: string | null): number | null {
  if (key === null) return null;
  try {
    const stopId = JSON.parse(key)?.stop_id;
    return isInteger(stopId) ? stopId : null;
  } catch {
    return null;
  }
}

export function linesOf(row: StationRow): Line[] {
  return LINES.filter((line) => row[line]);
}

/** The output key: a station on two lines has one record per line, so both stay compacted. */
export function transformedKey(stationId: number, line: Line): string {
  return JSON.stringify({ station_id: stationId, line });
}

/**
 * The current stops, and from them the transformed stations. A station's record comes from
 * the lowest stop id that serves the line there, so the result does not depend on the order
 * in which stops arrived.
 */
export class StationIndex {
  readonly #stops = new Map<number, StationRow>();

  /** Applies a row (or its deletion) and returns the output keys it may have changed. */
  apply(stopId: number, row: StationRow | null): Set<string> {
    const affected = new Set<string>();
    const before = this.#stops.get(stopId);
    if (before) {
      for (const line of linesOf(before)) affected.add(transformedKey(before.station_id, line));
    }
    if (row) {
      this.#stops.set(stopId, row);
      for (const line of linesOf(row)) affected.add(transformedKey(row.station_id, line));
    } else {
      this.#stops.delete(stopId);
    }
    return affected;
  }

  /** Applies a row (or its deletion) and returns the records that bring `emitted` up to date. */
  update(
    emitted: ReadonlyMap<string, string>,
    stopId: number,
    row: StationRow | null,
  ): OutputRecord[] {
    const affected = this.apply(stopId, row);
    return changes(emitted, this.all(), affected);
  }

  /** Every station and line with at least one stop, by output key. */
  all(): Map<string, TransformedStation> {
    const result = new Map<string, { stopId: number; station: TransformedStation }>();
    for (const [stopId, row] of this.#stops) {
      for (const line of linesOf(row)) {
        const key = transformedKey(row.station_id, line);
        const current = result.get(key);
        if (!current || stopId < current.stopId) {
          result.set(key, {
            stopId,
            station: {
              station_id: row.station_id,
              station_name: row.station_name,
              order: row.order,
              line,
            },
          });
        }
      }
    }
    return new Map([...result].map(([key, { station }]) => [key, station]));
  }
}

export interface OutputRecord {
  key: string;
  /** null is a tombstone: the station no longer serves that line. */
  value: string | null;
}

/**
 * The records that bring a reader of the output from `emitted` to `desired`, limited to `keys`
 * when given. Unchanged stations produce nothing, so replaying the input adds no duplicates.
 */
export function changes(
  emitted: ReadonlyMap<string, string>,
  desired: ReadonlyMap<string, TransformedStation>,
  keys: Iterable<string> = new Set([...emitted.keys(), ...desired.keys()]),
): OutputRecord[] {
  const records: OutputRecord[] = [];
  for (const key of keys) {
    const station = desired.get(key);
    const value = station ? JSON.stringify(station) : null;
    if (value !== (emitted.get(key) ?? null)) records.push({ key, value });
  }
  return records;
}
