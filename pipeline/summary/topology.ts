/**
 * The turnstile summary, free of I/O: the KSQL table
 * `CREATE TABLE TURNSTILE_SUMMARY AS SELECT station_id, COUNT(*) FROM turnstiles GROUP BY station_id`
 * as two exactly-once hops, the way Kafka Streams runs `groupBy(station).count()`:
 *
 *   turnstiles (any partitioning) ─entries─▶ partial counts by station ─counts─▶ TURNSTILE_SUMMARY
 *
 * `entries` pre-aggregates each batch of events into one partial count per station and sends it
 * to the station's partition of the repartition topic; `counts` adds the partial counts of its
 * partition's stations and writes each changed station's total. Where a producer put an event
 * does not matter: every station's total is kept by exactly one `counts` task.
 */
import type { DeadLetter, Hop } from "../../lib/exactly_once/engine.ts";
import type { InputRecord, OutputRecord } from "../../lib/exactly_once/ports.ts";
import { partitionFor } from "../../lib/partitioned_send.ts";
import { summaryKey, summaryValue } from "../../lib/contracts/turnstile_summary.ts";

/** Entries per station. */
export type Counts = Map<number, number>;

export interface SummaryTopics {
  turnstiles: string;
  /** The repartition topic: partial counts keyed by station. */
  partialCounts: string;
  /** Checkpoints of `entries`, one partition per turnstile partition. */
  entriesCheckpoints: string;
  /** Checkpoints of `counts` (the totals of its stations), one partition per summary partition. */
  countsCheckpoints: string;
  summary: string;
  deadLetters: string;
}

/** A decoded event's station, or why the record is unusable. */
export type StationOrReason = number | { reason: string };

/**
 * Reads the station of each record. Throws (and so retries the batch) when a dependency is
 * down; a record that cannot be read yields its reason in its place.
 */
export type StationDecoder = (records: InputRecord[]) => Promise<StationOrReason[]>;

/** The repartition topic's partition of a station: Kafka's default (murmur2) of the key. */
export function stationPartition(topic: string, stationId: number, partitions: number): number {
  return partitionFor(topic, { key: summaryKey(stationId), value: null }, partitions);
}

export function entriesHop(
  topics: SummaryTopics,
  decodeStations: StationDecoder,
  partitions: number,
): Hop<null> {
  return {
    name: "entries",
    inputTopic: topics.turnstiles,
    checkpointTopic: topics.entriesCheckpoints,
    deadLetterTopic: topics.deadLetters,
    emptyState: () => null,
    encodeState: () => null,
    decodeState: () => null,
    async process(_state, records) {
      const stations = await decodeStations(records);
      const partial: Counts = new Map();
      const deadLetters: DeadLetter[] = [];
      stations.forEach((station, i) => {
        if (typeof station === "number") partial.set(station, (partial.get(station) ?? 0) + 1);
        else deadLetters.push({ record: records[i], reason: station.reason });
      });
      const outputs: OutputRecord[] = [...partial].map(([stationId, entries]) => ({
        topic: topics.partialCounts,
        partition: stationPartition(topics.partialCounts, stationId, partitions),
        key: summaryKey(stationId),
        value: String(entries),
      }));
      return { outputs, deadLetters };
    },
  };
}

/** A partial count record: (station, entries), or why it is not one. */
export function parsePartialCount(
  record: InputRecord,
): { stationId: number; entries: number } | { reason: string } {
  const key = record.key === null ? "" : new TextDecoder().decode(record.key);
  const value = record.value === null ? "" : new TextDecoder().decode(record.value);
  if (!/^[1-9]\d{0,9}$/.test(key) || !/^[1-9]\d{0,15}$/.test(value)) {
    return { reason: `not a partial count: key ${JSON.stringify(key.slice(0, 40))}` };
  }
  return { stationId: Number(key), entries: Number(value) };
}

export function countsHop(topics: SummaryTopics): Hop<Counts> {
  return {
    name: "counts",
    inputTopic: topics.partialCounts,
    checkpointTopic: topics.countsCheckpoints,
    deadLetterTopic: topics.deadLetters,
    purgeInput: true,
    emptyState: () => new Map(),
    encodeState: (counts) => Object.fromEntries(counts),
    decodeState: (json) =>
      new Map(
        Object.entries((json ?? {}) as Record<string, number>).map(([k, v]) => [Number(k), v]),
      ),
    process(counts, records, partition) {
      const changed = new Set<number>();
      const deadLetters: DeadLetter[] = [];
      for (const record of records) {
        const partial = parsePartialCount(record);
        if ("reason" in partial) {
          deadLetters.push({ record, reason: partial.reason });
          continue;
        }
        counts.set(partial.stationId, (counts.get(partial.stationId) ?? 0) + partial.entries);
        changed.add(partial.stationId);
      }
      // The summary is co-partitioned with the partial counts: one row per station.
      const outputs: OutputRecord[] = [...changed].map((stationId) => ({
        topic: topics.summary,
        partition,
        key: summaryKey(stationId),
        value: summaryValue(stationId, counts.get(stationId)!),
      }));
      return { outputs, deadLetters };
    },
  };
}
