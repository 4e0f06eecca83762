/**
 * The turnstile summary topology, free of I/O: turnstile events in, running counts per
 * station out. It is the KSQL table
 * `CREATE TABLE TURNSTILE_SUMMARY AS SELECT station_id, COUNT(*) FROM turnstile GROUP BY station_id`.
 */

export type Counts = Map<number, number>;

export interface SummaryValue {
  STATION_ID: number;
  COUNT: number;
}

export interface TurnstileValue {
  station_id: number;
  station_name: string;
  line: string;
}

export function summaryKey(stationId: number): string {
  return String(stationId);
}

export function summaryValue(stationId: number, count: number): string {
  const value: SummaryValue = { STATION_ID: stationId, COUNT: count };
  return JSON.stringify(value);
}

/** Reads a summary record back into (station, count); null for anything else. */
export function parseSummaryValue(value: string | null): SummaryValue | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value);
    if (Number.isInteger(parsed?.STATION_ID) && Number.isInteger(parsed?.COUNT)) {
      return { STATION_ID: parsed.STATION_ID, COUNT: parsed.COUNT };
    }
  } catch {
    // not JSON: not a summary record
  }
  return null;
}

/** Checks a decoded turnstile value and returns its station, or the reason it is unusable. */
export function stationOf(value: unknown): { stationId: number } | { reason: string } {
  const stationId = (value as Partial<TurnstileValue> | null)?.station_id;
  if (typeof stationId !== "number" || !Number.isInteger(stationId) || stationId <= 0) {
    return { reason: `station_id must be a positive integer, got ${JSON.stringify(stationId)}` };
  }
  return { stationId };
}

/**
 * Adds one entry per event to the counts and returns the stations whose count changed, with
 * their new count: one output record per station and batch, however many entries it had.
 */
export function countEntries(counts: Counts, stationIds: Iterable<number>): Counts {
  const changed: Counts = new Map();
  for (const stationId of stationIds) {
    const count = (counts.get(stationId) ?? 0) + 1;
    counts.set(stationId, count);
    changed.set(stationId, count);
  }
  return changed;
}
