/**
 * The history stage's pure part: a batch of one input partition's records, and the next offset
 * already stored for that partition, into hourly increments, dead letters and the new next
 * offset. Records below the stored offset were counted by an earlier transaction (a restart, a
 * rebalance, an instance that took the partition over) and are left out; that check, made under
 * the offset row's lock, is what keeps every record counted once.
 */
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import type { TurnstileValue } from "../../lib/contracts/turnstiles.ts";

export const HOUR_MS = 3_600_000;
/** The largest time a JavaScript Date (and so the table's timestamptz) holds, either side of 1970. */
const MAX_TIME_MS = 8.64e15;

/** What a readable input record counts for. */
export type Counted =
  | { kind: "entry"; stationId: number }
  | { kind: "arrival"; stationId: number; line: string; direction: string };

/**
 * An input record as the stage decoded it: what it counts for and when, or why it cannot be
 * read. `timestamp` is the Kafka record timestamp (ms), used only when `eventTime` is absent.
 */
export type InputRecord =
  | { offset: bigint; timestamp: number; eventTime: number | null; counted: Counted }
  | { offset: bigint; reason: string };

export interface EntryIncrement {
  stationId: number;
  /** Start of the UTC hour, ms since the epoch. */
  hour: number;
  entries: number;
}

export interface ArrivalIncrement {
  stationId: number;
  hour: number;
  line: string;
  direction: string;
  arrivals: number;
}

export interface DeadLetterPlan {
  offset: bigint;
  reason: string;
}

export interface BatchPlan {
  /** Sorted by primary key, so that concurrent transactions lock rows in one order. */
  entries: EntryIncrement[];
  arrivals: ArrivalIncrement[];
  deadLetters: DeadLetterPlan[];
  /** Records counted in this batch (dead letters not included). */
  counted: number;
  /** Records below the stored offset: counted before. */
  skipped: number;
  /** The partition's next offset once this batch is applied; the stored one if nothing is new. */
  next: bigint;
}

export function turnstileCounted(value: TurnstileValue): Counted {
  return { kind: "entry", stationId: value.station_id };
}

export function arrivalCounted(value: ArrivalValue): Counted {
  return {
    kind: "arrival",
    stationId: value.station_id,
    line: value.line,
    direction: value.direction,
  };
}

/**
 * The start of the UTC hour an event belongs to: by its event time, or, for records written
 * before event_time existed (null or absent), by the Kafka record timestamp. A time no
 * timestamptz can hold is a reason to dead-letter the record.
 */
export function hourOf(
  eventTime: number | null,
  recordTimestamp: number,
): number | { reason: string } {
  const time = eventTime ?? recordTimestamp;
  if (!Number.isFinite(time) || Math.abs(time) > MAX_TIME_MS - HOUR_MS) {
    return eventTime === null
      ? { reason: `no event_time, and the record timestamp ${recordTimestamp} is not a time` }
      : { reason: `event_time ${eventTime} is out of range` };
  }
  if (eventTime === null && recordTimestamp < 0) {
    return { reason: "no event_time, and no record timestamp" };
  }
  return Math.floor(time / HOUR_MS) * HOUR_MS;
}

/**
 * Plans one transaction for a batch of one partition (records in offset order) when the
 * partition's stored next offset is `storedNext`. `batchEnd` is one past the last offset the
 * batch covers (control records included), so that the next offset moves past them too.
 */
export function planBatch(
  records: readonly InputRecord[],
  storedNext: bigint,
  batchEnd?: bigint,
): BatchPlan {
  const entries = new Map<string, EntryIncrement>();
  const arrivals = new Map<string, ArrivalIncrement>();
  const deadLetters: DeadLetterPlan[] = [];
  let counted = 0;
  let skipped = 0;
  let next = storedNext;
  for (const record of records) {
    if (record.offset < storedNext) {
      skipped++;
      continue;
    }
    if (record.offset >= next) next = record.offset + 1n;
    if ("reason" in record) {
      deadLetters.push({ offset: record.offset, reason: record.reason });
      continue;
    }
    const hour = hourOf(record.eventTime, record.timestamp);
    if (typeof hour !== "number") {
      deadLetters.push({ offset: record.offset, reason: hour.reason });
      continue;
    }
    counted++;
    const c = record.counted;
    if (c.kind === "entry") {
      const key = `${c.stationId}|${hour}`;
      const row = entries.get(key);
      if (row) row.entries++;
      else entries.set(key, { stationId: c.stationId, hour, entries: 1 });
    } else {
      const key = `${c.stationId}|${hour}|${c.line}|${c.direction}`;
      const row = arrivals.get(key);
      if (row) row.arrivals++;
      else {
        arrivals.set(key, {
          stationId: c.stationId,
          hour,
          line: c.line,
          direction: c.direction,
          arrivals: 1,
        });
      }
    }
  }
  if (batchEnd !== undefined && batchEnd > next) next = batchEnd;
  return {
    entries: [...entries.values()].sort(byEntryKey),
    arrivals: [...arrivals.values()].sort(byArrivalKey),
    deadLetters,
    counted,
    skipped,
    next,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byEntryKey(a: EntryIncrement, b: EntryIncrement): number {
  return a.stationId - b.stationId || a.hour - b.hour;
}

function byArrivalKey(a: ArrivalIncrement, b: ArrivalIncrement): number {
  return a.stationId - b.stationId || a.hour - b.hour || compareText(a.line, b.line) ||
    compareText(a.direction, b.direction);
}
