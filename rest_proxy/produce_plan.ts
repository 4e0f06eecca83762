/**
 * How one produce request's records are split into Kafka produce requests: one partition per
 * request, as lib/partitioned_send.ts does for the simulation. kafkajs retries a request that
 * spans several leaders by re-sending what the other leaders had already acknowledged, under
 * new sequence numbers, so a leader failover would duplicate records; a request holding one
 * partition is retried with its own sequence number, which the new leader recognises.
 */
import type { Message } from "kafkajs";
import { Buffer } from "node:buffer";
import { byPartition } from "../lib/partitioned_send.ts";
import { batchBounds } from "./offsets.ts";

/** Bytes a message counts for against the batch limit: payload plus record overhead. */
export function messageSize(message: Message): number {
  const length = (part: Message["key"] | Message["value"]) =>
    part === null || part === undefined ? 0 : Buffer.byteLength(part);
  return length(message.key) + length(message.value) + 64;
}

/**
 * For each partition, the batches of record indices to send in order: request order within a
 * partition, each batch under `maxBytes` and `maxRecords`. Records without a partition get the
 * default (murmur2) partitioner's.
 */
export function planProduceRequests(
  topic: string,
  messages: readonly Message[],
  partitionCount: number,
  maxBytes: number,
  maxRecords: number,
): Map<number, number[][]> {
  const indexOf = new Map(messages.map((message, index) => [message, index]));
  const plan = new Map<number, number[][]>();
  for (const [partition, group] of byPartition(topic, messages, partitionCount)) {
    const indices = group.map((message) => indexOf.get(message)!);
    const bounds = batchBounds(indices.map((i) => messageSize(messages[i])), maxBytes, maxRecords);
    plan.set(partition, bounds.map(([start, end]) => indices.slice(start, end)));
  }
  return plan;
}
