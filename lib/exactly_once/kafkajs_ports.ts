/** The engine's ports on a real broker, through kafkajs. */
import {
  type Admin,
  ConfigResourceTypes,
  type Kafka,
  type Producer,
  type Transaction,
} from "kafkajs";
import { endOffsets, readToEnd } from "../read_to_end.ts";
import {
  type Bytes,
  DependencyUnavailableError,
  type EnginePorts,
  type OutputRecord,
  type TransactionalSession,
} from "./ports.ts";
import { byPartition } from "./chunks.ts";
import {
  addPartitions,
  takeTransactionManager,
  type TransactionManager,
} from "../kafkajs_transaction_partitions.ts";

/**
 * The broker answers CONCURRENT_TRANSACTIONS to the next transaction's first AddPartitionsToTxn
 * while the last commit's markers are written, a few milliseconds; every transaction that follows
 * another at once waits for the first retry. Short first retries, and more of them, keep about the
 * same total time before a real failure surfaces.
 */
const TRANSACTION_RETRY = { initialRetryTime: 2, retries: 12 };

/**
 * The last checkpoint, unless the partition was written to while it was read. A restore reads
 * read_committed up to the end offset the partition had when it began, so it waits for any
 * transaction open below that end. Only the task itself should write to its checkpoint
 * partition, and its earlier owners are fenced first; a high watermark past that end means a
 * writer was still active, and a later checkpoint than the one read may be on its way. Wait.
 */
export function checkedCheckpoint(
  topic: string,
  partition: number,
  readTo: bigint,
  highWatermark: bigint,
  last: Bytes | null,
): Bytes | null {
  if (highWatermark > readTo) {
    throw new DependencyUnavailableError(
      `${topic}[${partition}] was written to while it was restored (read to offset ${readTo}, ` +
        `high watermark ${highWatermark}); restoring again`,
    );
  }
  return last;
}

/** One `send` per partition of `records`, all at once. */
export async function sendPerPartition(
  sender: Pick<Producer, "send">,
  records: readonly OutputRecord[],
): Promise<void> {
  await Promise.all(
    byPartition(records).map((group) =>
      sender.send({
        topic: group[0].topic,
        messages: group.map((m) => ({
          partition: m.partition,
          key: m.key as string | Buffer | null,
          value: m.value as string | Buffer | null,
          headers: m.headers,
        })),
      })
    ),
  );
}

export function kafkajsSession(kafka: Kafka, transactionalId: string): TransactionalSession {
  const producer: Producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 60_000,
    retry: TRANSACTION_RETRY,
  });
  let connected = false;
  let manager: TransactionManager | undefined;
  let transaction: Transaction | null = null;
  const current = () => {
    if (!transaction) throw new Error(`${transactionalId} has no open transaction`);
    return transaction;
  };
  return {
    async init() {
      await producer.connect();
      connected = true;
      // kafkajs initialises the producer id with the first transaction: that fences earlier
      // owners and completes or aborts their open transaction.
      const first = producer.transaction();
      manager = takeTransactionManager(transactionalId);
      await (await first).abort();
    },
    async begin() {
      transaction = await producer.transaction();
    },
    async addPartitions(records) {
      current();
      if (manager) await addPartitions(manager, records, TRANSACTION_RETRY);
    },
    // One partition per request: kafkajs re-sends what other brokers had acknowledged, under
    // new sequence numbers, when a request spanning several brokers meets a failover, and
    // those duplicates would commit with the transaction.
    async send(records: OutputRecord[]) {
      await sendPerPartition(current(), records);
    },
    async sendOffsets(group, topic, partition, next) {
      await current().sendOffsets({
        consumerGroupId: group,
        topics: [{ topic, partitions: [{ partition, offset: String(next) }] }],
      });
    },
    async commit() {
      const txn = current();
      transaction = null;
      await txn.commit();
    },
    async abort() {
      const txn = transaction;
      transaction = null;
      if (txn) await txn.abort();
    },
    async close() {
      if (connected) await producer.disconnect();
      connected = false;
    },
  };
}

/** Ports for one stage: `admin` must be connected, and stays the caller's to disconnect. */
export function kafkajsPorts(kafka: Kafka, admin: Admin): EnginePorts {
  const maxBytes = new Map<string, Promise<number>>();
  /** Partition counts seen so far: partitions are never removed, so a count once seen holds. */
  const partitionCounts = new Map<string, number>();
  return {
    session: (id) => kafkajsSession(kafka, id),
    async lastCheckpoint(topic, partition) {
      const ends = await endOffsets(kafka, topic, admin);
      const readTo = ends.get(partition) ?? 0n;
      let last: Bytes | null = null;
      let highWatermark = 0n;
      await readToEnd(kafka, topic, (p, message) => {
        if (p === partition && message.value !== null) last = message.value;
      }, {
        partitions: [partition],
        readCommitted: true,
        ends,
        onHighWatermark: (p, hw) => {
          if (p === partition && hw > highWatermark) highWatermark = hw;
        },
      });
      return checkedCheckpoint(topic, partition, readTo, highWatermark, last);
    },
    async ensurePartitions(topic, count) {
      if ((partitionCounts.get(topic) ?? 0) >= count) return;
      const known = async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const seen = topics[0].partitions.length;
        partitionCounts.set(topic, Math.max(seen, partitionCounts.get(topic) ?? 0));
        return seen;
      };
      if (await known() >= count) return;
      try {
        await admin.createPartitions({ topicPartitions: [{ topic, count }] });
      } catch (error) {
        // Another instance may have grown it first.
        if (await known() < count) throw error;
      }
    },
    maxMessageBytes(topic) {
      let bytes = maxBytes.get(topic);
      if (!bytes) {
        bytes = admin.describeConfigs({
          includeSynonyms: false,
          resources: [{
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configNames: ["max.message.bytes"],
          }],
        }).then((result) => {
          const entry = result.resources[0]?.configEntries
            .find((e) => e.configName === "max.message.bytes");
          return Number(entry?.configValue ?? 1_048_588);
        });
        bytes.catch(() => maxBytes.delete(topic));
        maxBytes.set(topic, bytes);
      }
      return bytes;
    },
    async deleteRecordsBefore(topic, partition, offset) {
      await admin.deleteTopicRecords({
        topic,
        partitions: [{ partition, offset: String(offset) }],
      });
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
