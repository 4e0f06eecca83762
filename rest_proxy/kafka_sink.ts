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
import { errorChain } from "../lib/stage_failures.ts";
import { failedOffsets, type PartitionOffset, recordOffsets } from "./offsets.ts";
import { retriableBackendError } from "./errors.ts";
import { planProduceRequests } from "./produce_plan.ts";
import { type Backoff, DEFAULT_BACKOFF, ProducerHolder } from "./producer_holder.ts";
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

/** Makes a new producer and connects it. */
export type ProducerFactory = () => Promise<Producer>;

export interface KafkaTopicSinkOptions {
  /** Wraps the producer factory: tests inject connection failures or stalled sends with it. */
  wrapProducerFactory?: (factory: ProducerFactory) => ProducerFactory;
  /** Between attempts to connect a replacement producer. */
  reconnectBackoff?: Backoff;
  /** How long a request waits for a replacement producer before its records fail (50003). */
  producerWaitMs?: number;
}

const METADATA_TTL_MS = 30_000;
// As long as kafkajs retries a send while Kafka is down, about as Java's max.block.ms.
const PRODUCER_WAIT_MS = 60_000;
// Well under the broker's default max.message.bytes (1 MiB) per produce request.
const MAX_BATCH_BYTES = 512 * 1024;
const MAX_BATCH_RECORDS = 5_000;

/**
 * kafkajs wraps the last retriable error (a refused connection, a leader election) in a
 * non-retriable "retries exceeded" error: the request is retriable if any cause is.
 */
export function describe(error: unknown): { retriable: boolean; message: string } {
  const retriable = errorChain(error)
    .some((cause) => (cause as { retriable?: unknown }).retriable === true);
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

export class KafkaTopicSink implements TopicSink {
  readonly #kafka: Kafka;
  readonly #config: Config;
  readonly #producerWaitMs: number;
  #producers!: ProducerHolder<Producer>;
  // Topics this producer has written to that have since been deleted. kafkajs keeps every topic
  // it has written to in its metadata requests and, once one is gone, fails each later refresh
  // with UNKNOWN_TOPIC_OR_PARTITION: such a producer must be replaced before its next send.
  readonly #written = new Set<string>();
  readonly #deleted = new Set<string>();
  readonly #admin: Admin;
  #metadata = new Map<string, PartitionMetadata[]>();
  #metadataAt = 0;
  // The idempotent producer's sequence numbers need sends one after the other.
  #sending: Promise<unknown> = Promise.resolve();

  private constructor(config: Config, producerWaitMs: number) {
    this.#config = config;
    this.#producerWaitMs = producerWaitMs;
    this.#kafka = createKafka("cta-rest-proxy", config.kafka);
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

  static async connect(
    config: Config,
    options: KafkaTopicSinkOptions = {},
  ): Promise<KafkaTopicSink> {
    const sink = new KafkaTopicSink(config, options.producerWaitMs ?? PRODUCER_WAIT_MS);
    const connectNew: ProducerFactory = async () => {
      const producer = sink.#newProducer();
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => {});
        throw error;
      }
      return producer;
    };
    const [producers] = await Promise.all([
      ProducerHolder.start({
        create: options.wrapProducerFactory?.(connectNew) ?? connectNew,
        dispose: (producer) => producer.disconnect(),
        backoff: options.reconnectBackoff ?? DEFAULT_BACKOFF,
      }),
      sink.#admin.connect(),
    ]);
    sink.#producers = producers;
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
    // From arrival, so that requests queued behind one another do not wait in turn.
    const deadline = Date.now() + this.#producerWaitMs;
    const result = this.#sending.then(() => this.#sendInOrder(topic, records, deadline));
    this.#sending = result.catch(() => {});
    return result;
  }

  async #sendInOrder(
    topic: string,
    records: OutgoingRecord[],
    deadline: number,
  ): Promise<PartitionOffset[]> {
    // A first write to a topic makes kafkajs refresh the metadata of every topic it wrote to.
    if (!this.#written.has(topic)) await this.#refreshMetadata();
    const partitionMetadata = (await this.#partitionMetadata(topic)) ?? [];
    if (this.#deleted.size > 0) {
      for (const deleted of this.#deleted) this.#written.delete(deleted);
      this.#deleted.clear();
      this.#producers.replace();
    }
    this.#written.add(topic);
    if (!hasLeaders(partitionMetadata)) {
      // A topic created a moment ago: partitioning over an empty list would pick no partition.
      return failedOffsets(records.length, true, `${topic} has no partition leaders yet`);
    }
    let producer: Producer;
    try {
      producer = await this.#producers.get(deadline);
    } catch (error) {
      const { retriable, message } = describe(error);
      return failedOffsets(records.length, retriable, message);
    }
    const messages = records.map((record) => ({
      key: toBuffer(record.key),
      value: toBuffer(record.value),
      partition: record.partition,
    }));
    const plan = planProduceRequests(
      topic,
      messages,
      partitionMetadata.length,
      MAX_BATCH_BYTES,
      MAX_BATCH_RECORDS,
    );
    const offsets = new Array<PartitionOffset>(records.length);
    // Partitions in parallel (kafkajs serialises requests per broker); batches of one partition
    // in order, each request with one partition.
    await Promise.all([...plan].map(async ([partition, batches]) => {
      for (const [b, batch] of batches.entries()) {
        try {
          const acks = await producer.send({
            topic,
            acks: -1,
            messages: batch.map((i) => ({ ...messages[i], partition })),
          });
          const baseOffsets = new Map(acks.map((a) => [a.partition, Number(a.baseOffset)]));
          const written = recordOffsets(batch.map(() => partition), baseOffsets);
          batch.forEach((i, j) => offsets[i] = written[j]);
        } catch (error) {
          const { retriable, message } = describe(error);
          // This partition's later batches are not tried: their records are reported failed too.
          const rest = batches.slice(b).flat();
          const failed = failedOffsets(rest.length, retriable, message);
          rest.forEach((i, j) => offsets[i] = failed[j]);
          return;
        }
      }
    }));
    return offsets;
  }

  async close(): Promise<void> {
    await this.#sending;
    await Promise.allSettled([this.#producers.close(), this.#admin.disconnect()]);
  }
}
