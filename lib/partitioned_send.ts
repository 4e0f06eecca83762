/**
 * Idempotent produce that survives a broker dying mid-request: one partition per request.
 *
 * kafkajs 2.2.4 keeps the answers of a multi-broker send per broker object. When a broker dies,
 * it reconnects with new broker objects and sends again what the other brokers had already
 * acknowledged, under new sequence numbers, so the "idempotent" producer writes duplicates
 * (measured: 901 extra turnstile events after a SIGKILL of a leader). A request that holds one
 * partition is retried with its own sequence number, which the new leader recognises.
 */
// Before kafkajs, so that its linear partition grouping is the one kafkajs binds.
import "./kafkajs_speedups/install.ts";
import type { Message, Producer } from "kafkajs";
import { Partitioners } from "kafkajs";

const partitioner = Partitioners.DefaultPartitioner();

/** The partition the default (murmur2) partitioner gives a keyed message. */
export function partitionFor(topic: string, message: Message, partitions: number): number {
  return partitioner({
    topic,
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [],
      isr: [],
      partitionErrorCode: 0,
    })),
    message,
  });
}

/** Groups messages by partition, keeping their order within each partition. */
export function byPartition(
  topic: string,
  messages: readonly Message[],
  partitions: number,
): Map<number, Message[]> {
  const groups = new Map<number, Message[]>();
  for (const message of messages) {
    const partition = message.partition ?? partitionFor(topic, message, partitions);
    let group = groups.get(partition);
    if (!group) groups.set(partition, group = []);
    group.push(message);
  }
  return groups;
}

/**
 * Sends every message with acks=all, each request carrying one partition and at most
 * `chunkSize` messages; partitions go in parallel, chunks of one partition in order.
 */
export async function sendPerPartition(
  producer: Producer,
  topicMessages: { topic: string; messages: readonly Message[] }[],
  partitionCounts: ReadonlyMap<string, number>,
  chunkSize: number,
): Promise<void> {
  const jobs: Promise<void>[] = [];
  for (const { topic, messages } of topicMessages) {
    const partitions = partitionCounts.get(topic);
    if (partitions === undefined) throw new Error(`no partition count for ${topic}`);
    for (const [partition, group] of byPartition(topic, messages, partitions)) {
      jobs.push((async () => {
        for (let offset = 0; offset < group.length; offset += chunkSize) {
          // Most messages already name their partition (the simulation's do): only the others
          // are copied: copying them all took about 15 % of the simulation's CPU.
          const chunk = group.slice(offset, offset + chunkSize);
          for (let i = 0; i < chunk.length; i++) {
            if (chunk[i].partition !== partition) chunk[i] = { ...chunk[i], partition };
          }
          await producer.send({ topic, acks: -1, messages: chunk });
        }
      })());
    }
  }
  await Promise.all(jobs);
}
