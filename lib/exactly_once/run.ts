/**
 * Runs exactly-once hops on a kafkajs consumer: one group, one subscription to every hop's input,
 * batches handed to the engine, rebalances passed on.
 */
import type { Admin, Consumer, Kafka } from "kafkajs";
import {
  type EngineLog,
  type EngineObserver,
  type EngineStats,
  ExactlyOnceEngine,
  type Hop,
} from "./engine.ts";
import { kafkajsPorts } from "./kafkajs_ports.ts";
import type { EnginePorts } from "./ports.ts";
import type { StageMetrics } from "../metrics.ts";
import { logger } from "../log.ts";
import { Budget, consumerRestarts } from "../stage_failures.ts";

export interface RunOptions {
  groupId: string;
  /** Partitions of each hop processed at once by one instance. */
  concurrency?: number;
  /** Default: lib/log.ts's logger named by the group. */
  log?: EngineLog;
  metrics?: StageMetrics;
  /** The engine's ports on the broker; default `kafkajsPorts`. */
  ports?: (kafka: Kafka, admin: Admin) => EnginePorts;
}

/** The engine's events as the stage's Prometheus metrics. */
export function metricsObserver(metrics: StageMetrics): EngineObserver {
  return {
    committed(hop, { inputs, outputs, deadLetters, ms }) {
      metrics.recordsIn.inc({ topic: hop.inputTopic }, inputs);
      const perTopic = new Map<string, number>();
      for (const o of outputs) perTopic.set(o.topic, (perTopic.get(o.topic) ?? 0) + 1);
      for (const [topic, n] of perTopic) metrics.recordsOut.inc({ topic }, n);
      if (deadLetters > 0) metrics.deadLetters.inc({ topic: hop.inputTopic }, deadLetters);
      metrics.transactions.inc({ outcome: "committed" });
      metrics.transactionSeconds.observe(ms / 1000);
    },
    aborted() {
      metrics.transactions.inc({ outcome: "aborted" });
    },
    restored(_hop, ms) {
      metrics.restoreSeconds.observe(ms / 1000);
    },
  };
}

export interface RunningStage {
  readonly stats: EngineStats;
  /** Resolves when the stage has stopped by itself (a fatal error), never on stop(). */
  readonly failed: Promise<Error>;
  /** Every assigned partition's task is open: what /readyz reports. */
  ready(): boolean;
  stop(): Promise<void>;
  readonly metrics?: StageMetrics;
}

/** Consumer restarts without a committed batch in between before the stage gives up. */
export const MAX_RESTARTS_IN_A_ROW = 5;

export async function runExactlyOnce(
  kafka: Kafka,
  // deno-lint-ignore no-explicit-any
  hops: Hop<any>[],
  options: RunOptions,
): Promise<RunningStage> {
  const groupLog = logger(options.groupId);
  const log: EngineLog = options.log ?? ((line, level = "info") => groupLog[level](line));
  const admin = kafka.admin();
  await admin.connect();
  // A consumer that fails restarts, but only a few times in a row: a broker that stays away
  // longer than that ends the stage with one clear error instead of a hang. Progress (a committed
  // transaction or a handled batch of its hop) starts its count again.
  const restarts = new Map(hops.map((hop) => [hop.inputTopic, new Budget(MAX_RESTARTS_IN_A_ROW)]));
  const metrics = options.metrics ? metricsObserver(options.metrics) : undefined;
  const engine = new ExactlyOnceEngine((options.ports ?? kafkajsPorts)(kafka, admin), hops, {
    group: options.groupId,
    log,
    observer: {
      committed: (hop, batch) => {
        restarts.get(hop.inputTopic)!.reset();
        metrics?.committed(hop, batch);
      },
      aborted: (hop) => metrics?.aborted(hop),
      restored: (hop, ms) => metrics?.restored(hop, ms),
    },
  });

  let fail!: (error: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  engine.failed.then(fail);
  // One consumer per hop, each with a fetch loop of its own: see hopConsumerGroup.
  const consumers: Consumer[] = [];
  for (const topic of engine.inputTopics) {
    const budget = restarts.get(topic)!;
    consumers.push(await runHop(kafka, engine, topic, { ...options, log, restarts: budget, fail }));
  }

  return {
    stats: engine.stats,
    failed,
    ready: () => engine.ready(),
    metrics: options.metrics,
    async stop() {
      await Promise.all(consumers.map((consumer) => consumer.disconnect()));
      await engine.close();
      await admin.disconnect();
    },
  };
}

/** Runs the consumer of one hop's input, in the hop's own group, handing its batches to the engine. */
async function runHop(
  kafka: Kafka,
  engine: ExactlyOnceEngine,
  topic: string,
  options: RunOptions & { log: EngineLog; restarts: Budget; fail: (error: Error) => void },
): Promise<Consumer> {
  const group = engine.consumerGroup(topic);
  const consumer = kafka.consumer({
    groupId: group,
    readUncommitted: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    maxWaitTimeInMs: 50,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    // Partitions added to an input are noticed within this, and the group rebalances.
    metadataMaxAge: 5_000,
    retry: consumerRestarts("consumer", options.restarts, {
      warn: (line) => options.log(line, "warn"),
    }),
  });
  let joins = 0;
  let stopped = false;
  consumer.on(consumer.events.GROUP_JOIN, async ({ payload }) => {
    const join = ++joins;
    stopped = false;
    const partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    options.log(`assigned partitions [${partitions.map((p) => `${topic}[${p}]`).join(", ")}]`);
    options.metrics?.groupJoins.inc();
    await engine.assign({ [topic]: partitions }, [topic]);
    // A task that failed to open would otherwise wait for its partition's first batch, which an
    // idle input may never bring, and the stage would never be ready.
    for (let backoff = 250; !engine.opened(topic); backoff = Math.min(backoff * 2, 2_000)) {
      await new Promise((resolve) => setTimeout(resolve, backoff));
      if (join !== joins || stopped) return;
      await engine.assign({ [topic]: partitions }, [topic]);
    }
  });
  consumer.on(consumer.events.DISCONNECT, () => (stopped = true));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) options.fail(payload.error);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.concurrency ?? 3,
    eachBatchAutoResolve: false,
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      options.metrics?.consumerLag.set(
        { topic: batch.topic, partition: String(batch.partition) },
        Number(batch.offsetLag()),
      );
      if (batch.messages.length === 0) return;
      const records = batch.messages.map((m) => ({
        offset: BigInt(m.offset),
        key: m.key,
        value: m.value,
      }));
      const resolved = await engine.handleBatch(batch.topic, batch.partition, records, {
        heartbeat,
        isActive: () => isRunning() && !isStale(),
      });
      if (resolved === null) return;
      options.restarts.reset();
      resolveOffset(String(resolved));
      await heartbeat();
    },
  });
  options.log(`reading ${topic} as group ${group}`);
  return consumer;
}
