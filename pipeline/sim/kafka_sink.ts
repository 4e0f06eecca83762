/**
 * Produces the arrivals and turnstile entries of each step to Kafka, Avro-encoded in the
 * Confluent wire format with schemas registered once at the start.
 */
import type { Buffer } from "node:buffer";
import type { Kafka, Message, Producer } from "kafkajs";
import { ensureTopics, partitionCount, topicSpec } from "../../lib/admin.ts";
import type { Config } from "../../lib/config.ts";
import { partitionFor, sendPerPartition } from "../../lib/partitioned_send.ts";
import { createRegistry, registerTopicSchemas } from "../../lib/registry.ts";
import { type ArrivalKey, ARRIVALS, type ArrivalValue } from "../../lib/contracts/arrivals.ts";
import {
  type TurnstileKey,
  TURNSTILES,
  type TurnstileValue,
} from "../../lib/contracts/turnstiles.ts";
import type { StepEvents } from "./model.ts";

/**
 * Messages per produce request (each request holds one partition). With lib/kafkajs_speedups/
 * (linear grouping, one buffer per batch) 4,000 used 1.5–1.9 CPU s per million events on the
 * shared broker and 1,000 used 1.7–2.5; without it kafkajs's grouping is quadratic in this size.
 */
export const MESSAGES_PER_SEND = 4_000;

export class SimulationKafkaSink {
  // A station's turnstile events of one step are all alike: each is encoded once per step.
  readonly #turnstileMessages = new Map<number, { time: number; message: Message }>();
  readonly #partitionCounts = new Map<string, number>();
  /** Records sent so far, and their key and value bytes: the record size a peer is given. */
  readonly sent = { records: 0, bytes: 0 };

  private constructor(
    private readonly producer: Producer,
    private readonly topics: { arrivals: string; turnstiles: string },
    private readonly encodeKey: (key: TurnstileKey) => Buffer,
    private readonly encodeArrivalKey: (key: ArrivalKey) => Buffer,
    private readonly encodeArrival: (value: ArrivalValue) => Buffer,
    private readonly encodeTurnstile: (value: TurnstileValue) => Buffer,
    private readonly messagesPerSend: number,
  ) {}

  /**
   * Creates the topics if missing (the weather topic too, which the REST proxy writes to),
   * registers the schemas and connects an idempotent producer.
   */
  static async open(
    kafka: Kafka,
    config: Config,
    partitions: number,
    withWeather: boolean,
    messagesPerSend = MESSAGES_PER_SEND,
  ): Promise<SimulationKafkaSink> {
    const topics = { arrivals: config.topics.arrivals, turnstiles: config.topics.turnstiles };
    const specs = [
      topicSpec(config, "arrivals", partitions),
      topicSpec(config, "turnstiles", partitions),
    ];
    if (withWeather) specs.push(topicSpec(config, "weather", partitions));
    await ensureTopics(kafka, config, specs);
    const registry = createRegistry(config.registry);
    const [arrivalIds, turnstileIds] = await Promise.all([
      registerTopicSchemas(registry, "arrivals", topics.arrivals),
      registerTopicSchemas(registry, "turnstiles", topics.turnstiles),
    ]);
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    const sink = new SimulationKafkaSink(
      producer,
      topics,
      TURNSTILES.key.encoder(turnstileIds.key),
      ARRIVALS.key.encoder(arrivalIds.key),
      ARRIVALS.value.encoder(arrivalIds.value),
      TURNSTILES.value.encoder(turnstileIds.value),
      messagesPerSend,
    );
    for (const topic of Object.values(topics)) {
      sink.#partitionCounts.set(topic, await partitionCount(kafka, topic));
    }
    return sink;
  }

  #turnstileMessage(stationId: number, name: string, line: string, time: number): Message {
    const cached = this.#turnstileMessages.get(stationId);
    if (cached?.time === time) return cached.message;
    const message: Message = {
      key: cached?.message.key ?? this.encodeKey({ station_id: stationId }),
      value: this.encodeTurnstile({
        station_id: stationId,
        station_name: name,
        line,
        event_time: time,
      }),
    };
    // The partition is the default partitioner's (by key), worked out once instead of per event.
    const topic = this.topics.turnstiles;
    message.partition = cached?.message.partition ??
      partitionFor(topic, message, this.#partitionCounts.get(topic)!);
    this.#turnstileMessages.set(stationId, { time, message });
    return message;
  }

  /** Sends every event of a step and resolves once all are acknowledged by all replicas. */
  async send(step: StepEvents): Promise<void> {
    const arrivals: Message[] = step.arrivals.map((a) => ({
      key: this.encodeArrivalKey({ station_id: a.station_id }),
      value: this.encodeArrival(a),
    }));
    const turnstiles: Message[] = [];
    let bytes = 0;
    for (const a of arrivals) bytes += recordBytes(a);
    for (const e of step.entries) {
      const message = this.#turnstileMessage(e.stationId, e.name, e.line, step.time);
      for (let i = 0; i < e.count; i++) turnstiles.push(message);
      bytes += e.count * recordBytes(message);
    }
    // One partition per request, so that a leader change cannot duplicate a step's events.
    await sendPerPartition(
      this.producer,
      [
        { topic: this.topics.arrivals, messages: arrivals },
        { topic: this.topics.turnstiles, messages: turnstiles },
      ],
      this.#partitionCounts,
      this.messagesPerSend,
    );
    this.sent.records += arrivals.length + turnstiles.length;
    this.sent.bytes += bytes;
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

const recordBytes = (m: Message) => (m.key as Buffer).length + (m.value as Buffer).length;
