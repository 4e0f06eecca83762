/**
 * The stations transform, free of I/O: rows of the `stations` table (one per platform stop) in,
 * one record per station and line out. It replaces the seed's Faust agent.
 */
import { type Line, LINES } from "../../lib/contracts/enums.ts";
import { parseStationRow, parseStopKey, type StationRow } from "../../lib/contracts/stations.ts";
import {
  transformedKey,
  type TransformedStation,
  transformedValue,
} from "../../lib/contracts/stations_transformed.ts";

/** A record of the input as Kafka Connect writes it: a stop's row, its deletion, or unreadable. */
export type StopChange = { stopId: number; row: StationRow | null } | { reason: string };

export function readStopRecord(key: string | null, value: string | null): StopChange {
  const stopId = parseStopKey(key);
  if (stopId === null) return { reason: "key has no integer stop_id" };
  const parsed = parseStationRow(value);
  if ("reason" in parsed) return { reason: parsed.reason };
  return { stopId, row: "row" in parsed ? parsed.row : null };
}

export function linesOf(row: StationRow): Line[] {
  return LINES.filter((line) => row[line]);
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
    const value = station ? transformedValue(station) : null;
    if (value !== (emitted.get(key) ?? null)) records.push({ key, value });
  }
  return records;
}
