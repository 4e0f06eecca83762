/**
 * kafkajs 2.2.4 adds a transaction's partitions one send at a time: each send asks the
 * transaction coordinator for the partitions it writes (AddPartitionsToTxn), under the broker's
 * produce lock, then produces. The exactly-once engine sends one partition per request (see
 * exactly_once/kafkajs_ports.ts), so a transaction writing four partitions made eight round trips
 * in a row before it could commit. This hands a transactional producer's transaction manager to
 * its session, which adds every partition of a transaction in one request first; the sends then
 * find them added and only produce.
 */
import { type KafkajsRequire, kafkajsRequire, versionMismatch } from "./kafkajs_upstream.ts";
import { logger } from "./log.ts";

const EOS_MANAGER = "./src/producer/eosManager/index.js";
const RETRY = "./src/retry/index.js";

export interface TopicPartitions {
  topic: string;
  partitions: { partition: number }[];
}

/** The part of kafkajs's transaction manager that adding partitions uses. */
export interface TransactionManager {
  addPartitionsToTransaction(topicData: TopicPartitions[]): Promise<void>;
}

export interface RetryOptions {
  initialRetryTime: number;
  retries: number;
}

interface EosOptions {
  transactional?: boolean;
  transactionalId?: string;
}

/** Transaction managers created and not yet taken by a session, by transactional id. */
const created = new Map<string, TransactionManager>();
/** The kafkajs the hand-over is installed into, once it is. */
let require: KafkajsRequire | undefined;

/**
 * The transaction manager kafkajs just created for `transactionalId`: call it right after the
 * producer's first `transaction()` call, before awaiting it (kafkajs creates the manager there).
 * Undefined when the patch is not installed; adding partitions up front is then left to kafkajs.
 */
export function takeTransactionManager(transactionalId: string): TransactionManager | undefined {
  const manager = created.get(transactionalId);
  created.delete(transactionalId);
  return manager;
}

/**
 * Adds every partition the records go to in one AddPartitionsToTxn, retried as kafkajs retries
 * a send (the coordinator answers CONCURRENT_TRANSACTIONS while the last commit's markers are
 * written).
 */
export async function addPartitions(
  manager: TransactionManager,
  records: readonly { topic: string; partition: number }[],
  retry: RetryOptions,
): Promise<void> {
  const byTopic = new Map<string, Set<number>>();
  for (const { topic, partition } of records) {
    let partitions = byTopic.get(topic);
    if (!partitions) byTopic.set(topic, partitions = new Set());
    partitions.add(partition);
  }
  const topicData = [...byTopic].map(([topic, partitions]) => ({
    topic,
    partitions: [...partitions].map((partition) => ({ partition })),
  }));
  const retrier = require!(RETRY)(retry);
  await retrier(() => manager.addPartitionsToTransaction(topicData));
}

/** Installs the hand-over into the kafkajs that `require` reaches; a line saying why not otherwise. */
export function installTransactionPartitions(kafkajs: KafkajsRequire): string | undefined {
  const mismatch = versionMismatch(
    kafkajs("./package.json").version,
    "kafkajs transaction partitions",
  );
  if (mismatch) return mismatch;
  if (require) return undefined;
  if (kafkajs.cache[kafkajs.resolve("./src/producer/index.js")]) {
    throw new Error(
      "kafkajs's producer was loaded before its transaction manager was wrapped: import kafkajs " +
        "through the import map (lib/kafkajs.ts), never as npm:kafkajs",
    );
  }
  const create = kafkajs(EOS_MANAGER) as (options: EosOptions) => TransactionManager;
  kafkajs.cache[kafkajs.resolve(EOS_MANAGER)]!.exports = (options: EosOptions) => {
    const manager = create(options);
    if (options.transactional && options.transactionalId) {
      created.set(options.transactionalId, manager);
    }
    return manager;
  };
  require = kafkajs;
  return undefined;
}

const line = installTransactionPartitions(kafkajsRequire());
if (line) logger("kafka").warn(line);
