/** Topic creation: every stage ensures the topics it writes, with the settings the design fixes. */
import type { Kafka } from "kafkajs";
import type { Config } from "./config.ts";
import { COMPACTED_ROLES, minInsyncReplicas, type TopicRole } from "./contracts/topics.ts";
import { deadLetterTopic } from "./contracts/dead_letters.ts";
import { errorChain } from "./stage_failures.ts";

export interface TopicSpec {
  topic: string;
  compacted?: boolean;
  partitions?: number;
  /** Further topic configs, e.g. compaction or retention settings. */
  configs?: Record<string, string>;
}

/** The spec of a role's topic under the config's namespace and sizing. */
export function topicSpec(
  config: Config,
  role: TopicRole,
  partitions = config.partitions,
): TopicSpec {
  return {
    topic: config.topics[role],
    compacted: COMPACTED_ROLES.includes(role),
    partitions,
  };
}

/**
 * The dead-letter topic of a role's topic: never compacted, it is an audit trail. It takes
 * records twice the default message size, so that an input record close to the limit still fits
 * with its headers.
 */
export function deadLetterSpec(config: Config, role: TopicRole): TopicSpec {
  return {
    topic: deadLetterTopic(config.topics[role]),
    partitions: 1,
    configs: { "max.message.bytes": String(2 * 1024 * 1024) },
  };
}

/**
 * Compaction that keeps a compacted topic small while it runs for days: segments roll every
 * minute and are cleaned as soon as a tenth of them is superseded.
 */
export const EAGER_COMPACTION: Record<string, string> = {
  "segment.ms": "60000",
  "min.cleanable.dirty.ratio": "0.1",
  "delete.retention.ms": "3600000",
};

/**
 * True for a Kafka error that a later attempt may not meet: kafkajs marks it retriable (a broker
 * still starting, a leader not elected yet), here or in what it wraps, or a connection failed.
 */
export function isTransientKafkaError(error: unknown): boolean {
  return errorChain(error).some((current) =>
    (current as { retriable?: unknown }).retriable === true ||
    current.name === "KafkaJSConnectionError"
  );
}

export interface EnsureTopicsOptions {
  /** How long transient errors are retried before the last one is thrown. */
  retryForMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Creates the topics that do not exist yet. Existing topics are left as they are, so a stage
 * may call this on every start. A broker that has just started may not host a new topic's
 * partitions yet, or another process may be creating the same topics: transient errors are
 * retried for a while, since a dependency that is slow is not a reason to stop.
 */
export function ensureTopics(
  kafka: Kafka,
  config: Config,
  specs: TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<void> {
  return retryTransient(() => createMissingTopics(kafka, config, specs), options);
}

/**
 * Runs `call` again after transient Kafka errors. `retryForMs` bounds the whole of it, the attempt
 * under way included: one kafkajs attempt against a broker that cannot be reached may itself
 * retry for most of a minute. When time runs out, the last error is thrown.
 */
async function retryTransient<T>(call: () => Promise<T>, options: EnsureTopicsOptions): Promise<T> {
  const retryForMs = options.retryForMs ?? 60_000;
  const deadline = Date.now() + retryForMs;
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let lastError: unknown;
  let expired = false;
  const attempts = (async () => {
    for (let pauseMs = 250; !expired; pauseMs = Math.min(2 * pauseMs, 2_000)) {
      try {
        return await call();
      } catch (error) {
        if (!isTransientKafkaError(error) || Date.now() + pauseMs > deadline) throw error;
        lastError = error;
        await sleep(pauseMs);
      }
    }
    throw lastError;
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      reject(lastError ?? new Error(`Kafka did not answer within ${retryForMs} ms`));
    }, Math.max(0, deadline - Date.now()));
  });
  // The attempt under way when time runs out settles later, unobserved.
  attempts.catch(() => {});
  try {
    return await Promise.race([attempts, timeUp]);
  } finally {
    clearTimeout(timer);
  }
}

async function createMissingTopics(
  kafka: Kafka,
  config: Config,
  specs: TopicSpec[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    const minInsync = String(minInsyncReplicas(config.replicationFactor));
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions ?? config.partitions,
        replicationFactor: config.replicationFactor,
        configEntries: [
          { name: "cleanup.policy", value: s.compacted ? "compact" : "delete" },
          { name: "min.insync.replicas", value: minInsync },
          ...Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
        ],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * The number of partitions of an existing topic. Just after the topic was created, a broker may
 * not host its partitions yet; that is retried like `ensureTopics`'s errors.
 */
export function partitionCount(
  kafka: Kafka,
  topic: string,
  options: EnsureTopicsOptions = {},
): Promise<number> {
  return retryTransient(() => fetchPartitionCount(kafka, topic), options);
}

async function fetchPartitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions.length;
  } finally {
    await admin.disconnect();
  }
}
