/**
 * The history stage on Kafka: one consumer group reads the turnstile and arrival topics, and
 * each batch of a partition becomes one PostgreSQL transaction (store.ts). The group's Kafka
 * offsets are never committed: where a partition stands is the next offset stored in
 * PostgreSQL with the counts, and each assignment seeks there.
 */
import type { Admin, Batch, Consumer, Kafka, KafkaMessage, Producer } from "kafkajs";
import type { Config } from "../../lib/config.ts";
import { deadLetterSpec, ensureTopics, topicSpec } from "../../lib/admin.ts";
import { Buffer } from "node:buffer";
import { ARRIVALS } from "../../lib/contracts/arrivals.ts";
import { TURNSTILES } from "../../lib/contracts/turnstiles.ts";
import { RecordShapeError } from "../../lib/contracts/shape.ts";
import type { AvroPart } from "../../lib/contracts/contract.ts";
import { type AvroDecoder, WireFormatError } from "../../lib/contracts/wire_format.ts";
import { chunkByBytes, deadLetterRecord, requestBudget } from "../../lib/exactly_once/chunks.ts";
import { DependencyUnavailableError } from "../../lib/exactly_once/ports.ts";
import type { Logger } from "../../lib/log.ts";
import { Budget, consumerRestarts, oneLine } from "../../lib/stage_failures.ts";
import type { StageMetrics } from "../../lib/metrics.ts";
import { isPostgresUnavailable, type Sql } from "../../lib/postgres.ts";
import {
  arrivalCounted,
  type Counted,
  type DeadLetterPlan,
  type InputRecord,
  turnstileCounted,
} from "./aggregate.ts";
import { applyBatch, ensureHistoryTables, qualified, storedOffsets } from "./store.ts";

export interface HistoryOptions {
  /** The consumer group, under the namespace: also the `consumer` of history_offsets. */
  group: string;
  /** Partitions processed at once. */
  concurrency: number;
  /** Most bytes fetched from one partition at once: the largest batch, so transaction. */
  maxBatchBytes: number;
}

export interface HistoryStats {
  entries: number;
  arrivals: number;
  deadLetters: number;
  /** Records already counted by an earlier transaction, read again and left out. */
  skipped: number;
  transactions: number;
  partitions: string[];
}

export interface RunningHistory {
  readonly stats: HistoryStats;
  readonly failed: Promise<Error>;
  /** Every assigned partition has been caught up with since its assignment. */
  ready(): boolean;
  stop(): Promise<void>;
  readonly metrics: StageMetrics;
}

interface Input {
  role: "turnstiles" | "arrivals";
  topic: string;
  deadLetterTopic: string;
  deadLetterMaxBytes: number;
  /** What a decoded value counts for, and when; throws RecordShapeError. */
  read(decoded: unknown): { eventTime: number | null; counted: Counted };
}

function reader<V extends { event_time?: number | null }>(
  part: AvroPart<V>,
  counted: (value: V) => Counted,
): Input["read"] {
  return (decoded) => {
    const value = part.parse(decoded);
    return { eventTime: value.event_time ?? null, counted: counted(value) };
  };
}

/** kafkajs sends strings and Buffers. */
function asBuffer(bytes: string | Uint8Array | null): string | Buffer | null {
  if (bytes === null || typeof bytes === "string" || Buffer.isBuffer(bytes)) return bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Consumer restarts without a committed batch in between before the stage gives up. */
const RESTARTS_IN_A_ROW = 5;
const RETRY_MAX_MS = 5_000;

/** A failure already described by what the stage was doing. */
export class HistoryError extends Error {
  override name = "HistoryError";
}

/** The dependency an error says is down or busy, or null when retrying would not help. */
export function unavailableDependency(error: unknown): string | null {
  if (error instanceof DependencyUnavailableError) return "the schema registry";
  if (isPostgresUnavailable(error)) return "PostgreSQL";
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === "string" && name.startsWith("KafkaJS")) return "Kafka";
  return null;
}

/** One line when a dependency goes away and one when it is back, however many retries. */
class Outages {
  readonly #since = new Map<string, number>();
  constructor(private readonly log: Logger) {}

  down(dependency: string, error: unknown): void {
    if (this.#since.has(dependency)) return;
    this.#since.set(dependency, Date.now());
    this.log.warn(`${dependency} unavailable, retrying: ${oneLine(error)}`);
  }

  up(): void {
    for (const [dependency, since] of this.#since) {
      this.log.info(`${dependency} is back after ${((Date.now() - since) / 1000).toFixed(1)} s`);
    }
    this.#since.clear();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number) => Math.min(RETRY_MAX_MS, 100 * 2 ** Math.min(attempt, 10));

function inputsOf(config: Config): Input[] {
  const dlq = (role: "turnstiles" | "arrivals") => {
    const spec = deadLetterSpec(config, role);
    return {
      deadLetterTopic: spec.topic,
      deadLetterMaxBytes: Number(spec.configs?.["max.message.bytes"] ?? 1_048_588),
    };
  };
  return [
    {
      role: "turnstiles",
      topic: config.topics.turnstiles,
      ...dlq("turnstiles"),
      read: reader(TURNSTILES.value, turnstileCounted),
    },
    {
      role: "arrivals",
      topic: config.topics.arrivals,
      ...dlq("arrivals"),
      read: reader(ARRIVALS.value, arrivalCounted),
    },
  ];
}

/** Decodes a batch's values; a registry that is down throws DependencyUnavailableError. */
async function decodeBatch(
  decoder: AvroDecoder,
  input: Input,
  messages: KafkaMessage[],
): Promise<InputRecord[]> {
  const values = await decoder.decodeAll(messages.map((m) => m.value));
  return messages.map((message, i): InputRecord => {
    const offset = BigInt(message.offset);
    const decoded = values[i];
    if (decoded instanceof WireFormatError) return { offset, reason: decoded.message };
    try {
      return { offset, timestamp: Number(message.timestamp), ...input.read(decoded) };
    } catch (error) {
      if (error instanceof RecordShapeError) return { offset, reason: error.message };
      throw error;
    }
  });
}

/**
 * Starts the stage and returns at once: it waits for its dependencies in the background, so that
 * its health endpoint answers (live, not ready) meanwhile.
 */
export function startHistory(
  kafka: Kafka,
  sql: Sql,
  decoder: AvroDecoder,
  config: Config,
  options: HistoryOptions,
  metrics: StageMetrics,
  log: Logger,
): RunningHistory {
  const schema = config.historySchema;
  const inputs = inputsOf(config);
  const inputOf = new Map(inputs.map((input) => [input.topic, input]));
  const outages = new Outages(log);
  let stopping = false;
  let fail!: (error: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  const stats: HistoryStats = {
    entries: 0,
    arrivals: 0,
    deadLetters: 0,
    skipped: 0,
    transactions: 0,
    partitions: [],
  };

  /** Runs `work` until it succeeds, retrying while a dependency is down; other errors throw. */
  async function retrying<T>(doing: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 0;; attempt++) {
      try {
        const result = await work();
        outages.up();
        return result;
      } catch (error) {
        const dependency = unavailableDependency(error);
        if (!dependency || stopping) throw new HistoryError(`${doing}: ${oneLine(error)}`);
        outages.down(dependency, error);
        await sleep(backoff(attempt));
      }
    }
  }

  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });

  /** Per assigned `topic[partition]`: whether it has been caught up with since assigned. */
  let assigned = new Map<string, { caughtUp: boolean }>();
  let restoring: Promise<void> = Promise.resolve();
  // False until the first assignment is taken, and while a later one is.
  let restored = false;
  const keyOf = (topic: string, partition: number) => `${topic}[${partition}]`;

  async function takeAssignment(consumer: Consumer, assignment: Record<string, number[]>) {
    const started = performance.now();
    const next = new Map<string, { caughtUp: boolean }>();
    for (const input of inputs) {
      const partitions = [...(assignment[input.topic] ?? [])].sort((a, b) => a - b);
      if (partitions.length === 0) continue;
      const stored = await retrying(
        `reading the stored offsets of ${input.topic}`,
        () => storedOffsets(sql, schema, options.group, input.topic),
      );
      const ends = await retrying(
        `reading the offsets of ${input.topic}`,
        () => admin.fetchTopicOffsets(input.topic),
      );
      for (const partition of partitions) {
        const end = ends.find((e) => e.partition === partition);
        const low = BigInt(end?.low ?? "0");
        const high = BigInt(end?.high ?? "0");
        const from = (stored.get(partition) ?? 0n) > low ? stored.get(partition)! : low;
        consumer.seek({ topic: input.topic, partition, offset: String(from) });
        next.set(keyOf(input.topic, partition), { caughtUp: from >= high });
      }
    }
    assigned = next;
    stats.partitions = [...next.keys()];
    metrics.restoreSeconds.observe((performance.now() - started) / 1000);
    log.info(
      `assigned [${stats.partitions.join(", ")}]; resuming at the offsets stored in ${schema}`,
    );
  }

  async function sendDeadLetters(
    input: Input,
    partition: number,
    byOffset: Map<string, KafkaMessage>,
    letters: DeadLetterPlan[],
  ) {
    const records = letters.map(({ offset, reason }) => {
      const message = byOffset.get(String(offset))!;
      return deadLetterRecord({ offset, key: message.key, value: message.value }, reason, {
        deadLetterTopic: input.deadLetterTopic,
        sourceTopic: input.topic,
        sourcePartition: partition,
        consumerGroup: options.group,
        maxBytes: input.deadLetterMaxBytes,
      });
    });
    for (const chunk of chunkByBytes(records, requestBudget(input.deadLetterMaxBytes))) {
      await producer.send({
        topic: input.deadLetterTopic,
        acks: -1,
        messages: chunk.map((r) => ({
          partition: r.partition,
          key: asBuffer(r.key),
          value: asBuffer(r.value),
          headers: r.headers,
        })),
      });
    }
  }

  const restarts = new Budget(RESTARTS_IN_A_ROW);
  const consumer: Consumer = kafka.consumer({
    groupId: options.group,
    readUncommitted: false,
    maxBytesPerPartition: options.maxBatchBytes,
    maxWaitTimeInMs: 200,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    metadataMaxAge: 5_000,
    retry: consumerRestarts("consumer", restarts, log, () => stopping),
  });

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    metrics.groupJoins.inc();
    restored = false;
    restoring = restoring.then(() => takeAssignment(consumer, payload.memberAssignment)).then(
      () => {
        restored = true;
      },
      (error) => {
        if (!stopping) fail(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart && !stopping) {
      fail(
        new HistoryError(`consuming ${inputs.map((i) => i.topic).join(", ")}: ${payload.error}`),
      );
    }
  });

  async function handleBatch(
    batch: Batch,
    heartbeat: () => Promise<void>,
    active: () => boolean,
    resolveOffset: (offset: string) => void,
  ) {
    const input = inputOf.get(batch.topic)!;
    metrics.consumerLag.set(
      { topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
    if (batch.messages.length === 0) return;
    // The assignment's seek first: a batch fetched before it is stale.
    while (!restored) {
      if (!active()) return;
      await Promise.race([restoring, sleep(500)]);
      await heartbeat();
    }
    const key = keyOf(batch.topic, batch.partition);
    const ref = { consumer: options.group, topic: batch.topic, partition: batch.partition };
    const byOffset = new Map(batch.messages.map((m) => [m.offset, m]));
    for (let attempt = 0;; attempt++) {
      if (!active()) return;
      let inTransaction = false;
      try {
        const records = await decodeBatch(decoder, input, batch.messages);
        const started = performance.now();
        inTransaction = true;
        const applied = await applyBatch(
          sql,
          schema,
          ref,
          records,
          BigInt(batch.lastOffset()) + 1n,
          (letters) => sendDeadLetters(input, batch.partition, byOffset, letters),
        );
        const { plan } = applied;
        outages.up();
        restarts.reset();
        stats.transactions++;
        stats.skipped += plan.skipped;
        stats.deadLetters += plan.deadLetters.length;
        if (input.role === "turnstiles") stats.entries += plan.counted;
        else stats.arrivals += plan.counted;
        if (plan.next !== applied.stored) {
          metrics.transactions.inc({ outcome: "committed" });
          metrics.transactionSeconds.observe((performance.now() - started) / 1000);
          metrics.recordsIn.inc({ topic: batch.topic }, plan.counted + plan.deadLetters.length);
          if (plan.deadLetters.length > 0) {
            metrics.deadLetters.inc({ topic: batch.topic }, plan.deadLetters.length);
          }
          if (applied.rows.entries > 0) {
            metrics.recordsOut.inc({ topic: qualified(schema, "entries") }, applied.rows.entries);
          }
          if (applied.rows.arrivals > 0) {
            metrics.recordsOut.inc({ topic: qualified(schema, "arrivals") }, applied.rows.arrivals);
          }
        }
        for (const { offset, reason } of plan.deadLetters) {
          log.warn(`dead letter at ${batch.topic} ${batch.partition}@${offset}: ${reason}`);
        }
        resolveOffset(batch.lastOffset());
        const state = assigned.get(key);
        if (state && plan.next >= BigInt(batch.highWatermark)) state.caughtUp = true;
        return;
      } catch (error) {
        if (inTransaction) metrics.transactions.inc({ outcome: "aborted" });
        const dependency = unavailableDependency(error);
        if (!dependency) {
          throw new HistoryError(
            `writing ${batch.topic} partition ${batch.partition} to ${schema}: ${oneLine(error)}`,
          );
        }
        outages.down(dependency, error);
        const until = Date.now() + backoff(attempt);
        while (Date.now() < until && active()) {
          await sleep(Math.min(500, until - Date.now()));
          await heartbeat();
        }
      }
    }
  }

  /** Waits for the topics, the tables and the broker, then consumes; fails the stage if it cannot. */
  async function start() {
    await retrying("creating the topics", () =>
      ensureTopics(kafka, config, [
        topicSpec(config, "turnstiles"),
        topicSpec(config, "arrivals"),
        deadLetterSpec(config, "turnstiles"),
        deadLetterSpec(config, "arrivals"),
      ]));
    await retrying(
      `creating the history tables in schema ${schema}`,
      () => ensureHistoryTables(sql, schema),
    );
    await retrying("connecting to Kafka", async () => {
      await admin.connect();
      await producer.connect();
    });
    if (stopping) return;
    try {
      await consumer.connect();
      for (const input of inputs) {
        await consumer.subscribe({ topic: input.topic, fromBeginning: true });
      }
      await consumer.run({
        partitionsConsumedConcurrently: options.concurrency,
        eachBatchAutoResolve: false,
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          try {
            await handleBatch(
              batch,
              heartbeat,
              () => !stopping && isRunning() && !isStale(),
              resolveOffset,
            );
          } catch (error) {
            if (error instanceof HistoryError && !stopping) fail(error);
            else throw error;
          }
        },
      });
    } catch (error) {
      throw new HistoryError(`connecting to Kafka: ${oneLine(error)}`);
    }
    log.info(
      `counting ${inputs.map((i) => i.topic).join(" and ")} into PostgreSQL schema ${schema} ` +
        `as group ${options.group}`,
    );
  }
  const starting = start().catch((error) => {
    if (!stopping) fail(error instanceof HistoryError ? error : new HistoryError(oneLine(error)));
  });

  return {
    stats,
    failed,
    metrics,
    ready: () => restored && [...assigned.values()].every((p) => p.caughtUp),
    async stop() {
      stopping = true;
      await starting;
      await consumer.disconnect().catch(() => {});
      await restoring.catch(() => {});
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      await sql.end({ timeout: 5 });
    },
  };
}
