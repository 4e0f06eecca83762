/**
 * What the exactly-once engine needs from Kafka, and nothing more. `kafkajs_ports.ts` binds it to
 * a real broker; `memory_broker.ts` is the broker-free test driver that injects faults.
 */
import type { Buffer } from "node:buffer";

export type Bytes = Buffer | Uint8Array;

/** A record as a consumer delivers it, offsets as bigint. */
export interface InputRecord {
  offset: bigint;
  key: Bytes | null;
  value: Bytes | null;
}

/** A record to write: always with its partition, chosen by the hop, never by a client default. */
export interface OutputRecord {
  topic: string;
  partition: number;
  key: string | Bytes | null;
  value: string | Bytes | null;
  headers?: Record<string, string>;
}

/** One transactional producer: the task's identity towards the broker. */
export interface TransactionalSession {
  /** Fences every earlier producer with the same id, completing or aborting its transaction. */
  init(): Promise<void>;
  begin(): Promise<void>;
  /**
   * Makes every partition of `records` part of the open transaction at once, before the sends
   * (one request for them all, where each send would otherwise ask for its own). Optional.
   */
  addPartitions?(records: readonly Pick<OutputRecord, "topic" | "partition">[]): Promise<void>;
  /** One call is one produce request: the caller keeps it under the topic's message size. */
  send(records: OutputRecord[]): Promise<void>;
  sendOffsets(group: string, topic: string, partition: number, next: bigint): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  close(): Promise<void>;
}

export interface EnginePorts {
  session(transactionalId: string): TransactionalSession;
  /**
   * The value of the last committed record in a checkpoint partition, or null when it has none.
   * Called after `init`, so nothing of this task's earlier owners is still pending.
   */
  lastCheckpoint(topic: string, partition: number): Promise<Bytes | null>;
  /** Makes a checkpoint topic have at least `count` partitions. */
  ensurePartitions(topic: string, count: number): Promise<void>;
  /** The largest record batch a topic accepts (`max.message.bytes`). */
  maxMessageBytes(topic: string): Promise<number>;
  /** Deletes a partition's records below `offset`: a repartition topic's consumed part. */
  deleteRecordsBefore(topic: string, partition: number, offset: bigint): Promise<void>;
  sleep(ms: number): Promise<void>;
}

/**
 * An error of a dependency that is down or slow (the registry, a broker): the batch is retried,
 * never dead-lettered.
 */
export class DependencyUnavailableError extends Error {
  override name = "DependencyUnavailableError";
}
