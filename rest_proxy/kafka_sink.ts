/**
 * The proxy's Kafka side: one idempotent producer (acks=all) and one admin client, both from
 * lib/kafka.ts, plus a short-lived cache of topic metadata.
 */
import {
  type Admin,
  type Kafka,
  Partitioners,
  type PartitionMetadata,
  type Producer,
} from "kafkajs";
import { Buffer } from "node:buffer";
import { ensureTopics } from "../lib/admin.ts";
import type { Config } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { batchBounds, failedOffsets, type PartitionOffset, recordOffsets } from "./offsets.ts";
import { retriableBackendError } from "./errors.ts";
import type { Payload } from "./requests.ts";

export interface OutgoingRecord {
  key: Payload;
  value: Payload;
  partition?: number;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: Array<{ broker: number; leader: boolean; in_sync: boolean }>;
}

/** What the HTTP layer needs from Kafka. */
export interface TopicSink {
  listTopics(): Promise<string[]>;
  /** The topic's partitions, or undefined when it does not exist. */
  partitions(topic: string): Promise<PartitionInfo[] | undefined>;
  createTopic(topic: string): Promise<void>;
  /** Writes the records in order; offsets (or per-record errors) in request order. */
  send(topic: string, records: OutgoingRecord[]): Promise<PartitionOffset[]>;
  close(): Promise<void>;
}

const METADATA_TTL_MS = 30_000;
// Well under the broker's default max.message.bytes (1 MiB) per produce request.
const MAX_BATCH_BYTES = 512 * 1024;
const MAX_BATCH_RECORDS = 5_000;

/**
 * kafkajs wraps the last retriable error (a refused connection, a leader election) in a
 * non-retriable "retries exceeded" error: the request is retriable if any cause is.
 */
export function describe(error: unknown): { retriable: boolean; message: string } {
  let retriable = false;
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if ((cause as { retriable?: unknown }).retriable === true) retriable = true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return { retriable, message: error instanceof Error ? error.message : String(error) };
}

function toBuffer(payload: Payload): Buffer | null {
  return payload === null ? null : Buffer.from(payload.buffer, payload.byteOffset, payload.length);
}

/**
 * Metadata worth caching: a topic seen a moment after its creation may have no partitions or
 * no leaders yet, and that must not stick for the cache's lifetime.
 */
export function hasLeaders(partitions: readonly PartitionMetadata[] | undefined): boolean {
  return partitions !== undefined && partitions.length > 0 &&
    partitions.every((p) => p.leader >= 0);
}

export class KafkaSink implements TopicSink {
  readonly #kafka: Kafka;
  readonly #config: Config;
  #producer: Producer;
  // Topics this producer has written to that have since been deleted. kafkajs keeps every topic
  // it has written to in its metadata requests and, once one is gone, fails each later refresh
  // with UNKNOWN_TOPIC_OR_PARTITION: such a producer must be replaced before its next send.
  readonly #written = new Set<string>();
  readonly #deleted = new Set<string>();
  readonly #admin: Admin;
  readonly #partitioner = Partitioners.DefaultPartitioner();
  #metadata = new Map<string, PartitionMetadata[]>();
  #metadataAt = 0;
  // The idempotent producer's sequence numbers need sends one after the other.
  #sending: Promise<unknown> = Promise.resolve();

  private constructor(config: Config) {
    this.#config = config;
    this.#kafka = createKafka("cta-rest-proxy", config.kafka);
    this.#producer = this.#newProducer();
    this.#admin = this.#kafka.admin();
  }

  #newProducer(): Producer {
    return this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async #replaceProducerIfTopicsWereDeleted(): Promise<void> {
    if (this.#deleted.size === 0) return;
    for (const topic of this.#deleted) this.#written.delete(topic);
    this.#deleted.clear();
    const old = this.#producer;
    this.#producer = this.#newProducer();
    await old.disconnect().catch(() => {});
    await this.#producer.connect();
  }

  static async connect(config: Config): Promise<KafkaSink> {
    const sink = new KafkaSink(config);
    await Promise.all([sink.#producer.connect(), sink.#admin.connect()]);
    return sink;
  }

  async #refreshMetadata(): Promise<void> {
    try {
      const { topics } = await this.#admin.fetchTopicMetadata();
      this.#metadata = new Map(topics.map((t) => [t.name, t.partitions]));
      this.#metadataAt = Date.now();
      for (const topic of this.#written) if (!this.#metadata.has(topic)) this.#deleted.add(topic);
    } catch (error) {
      throw retriableBackendError(describe(error).message);
    }
  }

  async #partitionMetadata(topic: string): Promise<PartitionMetadata[] | undefined> {
    const fresh = Date.now() - this.#metadataAt < METADATA_TTL_MS;
    if (!fresh || !hasLeaders(this.#metadata.get(topic))) await this.#refreshMetadata();
    return this.#metadata.get(topic);
  }

  async listTopics(): Promise<string[]> {
    await this.#refreshMetadata();
    return [...this.#metadata.keys()].sort();
  }

  async partitions(topic: string): Promise<PartitionInfo[] | undefined> {
    const metadata = await this.#partitionMetadata(topic);
    return metadata
      ?.map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas.map((broker) => ({
          broker,
          leader: broker === p.leader,
          in_sync: p.isr.includes(broker),
        })),
      }))
      .sort((a, b) => a.partition - b.partition);
  }

  async createTopic(topic: string): Promise<void> {
    try {
      await ensureTopics(this.#kafka, this.#config, [{ topic }]);
    } catch (error) {
      throw retriableBackendError(describe(error).message);
    }
    await this.#refreshMetadata();
  }

  send(topic: string, records: OutgoingRecord[]): Promise<PartitionOffset[]> {
    const result = this.#sending.then(() => this.#sendInOrder(topic, records));
    this.#sending = result.catch(() => {});
    return result;
  }

  async #sendInOrder(topic: string, records: OutgoingRecord[]): Promise<PartitionOffset[]> {
    // A first write to a topic makes kafkajs refresh the metadata of every topic it wrote to.
    if (!this.#written.has(topic)) await this.#refreshMetadata();
    const partitionMetadata = (await this.#partitionMetadata(topic)) ?? [];
    await this.#replaceProducerIfTopicsWereDeleted();
    this.#written.add(topic);
    if (!hasLeaders(partitionMetadata)) {
      // A topic created a moment ago: partitioning over an empty list would pick no partition.
      return failedOffsets(records.length, true, `${topic} has no partition leaders yet`);
    }
    const messages = records.map((record) => {
      const message = { key: toBuffer(record.key), value: toBuffer(record.value) };
      const partition = record.partition ??
        this.#partitioner({ topic, partitionMetadata, message });
      return { ...message, partition };
    });
    const sizes = messages.map((m) => (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64);
    const offsets: PartitionOffset[] = [];
    for (const [start, end] of batchBounds(sizes, MAX_BATCH_BYTES, MAX_BATCH_RECORDS)) {
      const batch = messages.slice(start, end);
      try {
        const acks = await this.#producer.send({ topic, acks: -1, messages: batch });
        const baseOffsets = new Map(acks.map((a) => [a.partition, Number(a.baseOffset)]));
        offsets.push(...recordOffsets(batch.map((m) => m.partition), baseOffsets));
      } catch (error) {
        const { retriable, message } = describe(error);
        // Later batches are not tried: the records after a failure are reported failed too.
        offsets.push(...failedOffsets(messages.length - start, retriable, message));
        break;
      }
    }
    return offsets;
  }

  async close(): Promise<void> {
    await this.#sending;
    await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()]);
  }
}
