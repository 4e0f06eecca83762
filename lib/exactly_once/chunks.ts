/**
 * Keeping writes under the broker's message size: a produce request carries one record batch per
 * partition, and a batch larger than the topic's `max.message.bytes` fails the whole transaction.
 */
import { Buffer } from "node:buffer";
import type { Bytes, InputRecord, OutputRecord, TransactionalSession } from "./ports.ts";
import { DEAD_LETTER_HEADERS, deadLetterHeaders } from "../contracts/dead_letters.ts";

/** Kafka's record batch header, and a generous bound on one record's framing (varints, attrs). */
export const BATCH_OVERHEAD_BYTES = 61;
export const RECORD_OVERHEAD_BYTES = 32;
/** Kafka's default `max.message.bytes`. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

function byteLength(part: string | Bytes | null): number {
  if (part === null) return 0;
  return typeof part === "string" ? Buffer.byteLength(part) : part.length;
}

export function recordBytes(record: OutputRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(record.key) + byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    bytes += 8 + Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  return bytes;
}

/**
 * Splits records into requests of at most `budget` bytes each; a record larger than the budget
 * travels alone. Order is kept.
 */
export function chunkByBytes(records: readonly OutputRecord[], budget: number): OutputRecord[][] {
  const chunks: OutputRecord[][] = [];
  let chunk: OutputRecord[] = [];
  let size = BATCH_OVERHEAD_BYTES;
  for (const record of records) {
    const bytes = recordBytes(record);
    if (chunk.length > 0 && size + bytes > budget) {
      chunks.push(chunk);
      chunk = [];
      size = BATCH_OVERHEAD_BYTES;
    }
    chunk.push(record);
    size += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** The request budget for a topic: half its message size, so that no batch comes near it. */
export function requestBudget(maxMessageBytes: number): number {
  return Math.max(16 * 1024, Math.min(512 * 1024, Math.floor(maxMessageBytes / 2)));
}

/** Records grouped by topic and partition, each group in the records' order. */
export function byPartition(records: readonly OutputRecord[]): OutputRecord[][] {
  const groups = new Map<string, OutputRecord[]>();
  for (const record of records) {
    const key = `${record.partition}:${record.topic}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()];
}

/**
 * Sends every partition's records in order, one request per chunk, and the partitions at once
 * (added to the transaction together first): a transaction then waits for its slowest partition
 * instead of for the sum of them all. Waits for every request to settle before it throws, so that
 * nothing is still in flight when the caller aborts.
 */
export async function sendByPartition(
  session: TransactionalSession,
  records: readonly OutputRecord[],
  maxMessageBytes: (topic: string) => number = () => DEFAULT_MAX_MESSAGE_BYTES,
): Promise<void> {
  await session.addPartitions?.(records);
  const sent = await Promise.allSettled(
    byPartition(records).map(async (group) => {
      const budget = requestBudget(maxMessageBytes(group[0].topic));
      for (const chunk of chunkByBytes(group, budget)) await session.send(chunk);
    }),
  );
  const failed = sent.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
}

export interface DeadLetterTarget {
  deadLetterTopic: string;
  sourceTopic: string;
  sourcePartition: number;
  /** The consumer group that could not read the record. */
  consumerGroup: string;
  /** The dead-letter topic's `max.message.bytes`. */
  maxBytes: number;
}

/**
 * The dead letter of an input record (see contracts/dead_letters.ts). A record that would not
 * fit the dead-letter topic keeps the head of its value, and says how long it was; its source
 * offset still finds the whole of it.
 */
export function deadLetterRecord(
  record: InputRecord,
  reason: string,
  target: DeadLetterTarget,
): OutputRecord {
  const headers = deadLetterHeaders(reason, {
    topic: target.sourceTopic,
    partition: target.sourcePartition,
    offset: record.offset,
  }, target.consumerGroup);
  const letter: OutputRecord = {
    topic: target.deadLetterTopic,
    partition: 0,
    key: record.key,
    value: record.value,
    headers,
  };
  const limit = target.maxBytes - BATCH_OVERHEAD_BYTES - 1_024;
  const excess = recordBytes(letter) - limit;
  if (excess <= 0) return letter;
  const keyLength = byteLength(record.key);
  const valueLength = byteLength(record.value);
  headers[DEAD_LETTER_HEADERS.valueTruncatedFrom] = String(valueLength);
  const value = Buffer.from(record.value ?? new Uint8Array()).subarray(
    0,
    Math.max(0, valueLength - excess - 64),
  );
  let key: Bytes | null = record.key;
  if (recordBytes({ ...letter, value }) > limit && key !== null) {
    headers[DEAD_LETTER_HEADERS.keyTruncatedFrom] = String(keyLength);
    key = Buffer.from(key).subarray(0, Math.max(0, limit - recordBytes({ ...letter, key: null })));
  }
  return { ...letter, key, value };
}
