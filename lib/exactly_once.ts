/**
 * A transactional consume-transform-produce loop for kafkajs, which has no consumer-group
 * fencing (KIP-447). Each input partition gets its own transactional producer with the id
 * `<stage>-<input topic>-<partition>`, so whoever takes a partition over fences the previous
 * owner. The stage's state lives per partition in a compacted output topic that is
 * co-partitioned with the input: input partition p writes output partition p, and restoring
 * partition p means reading output partition p to its end.
 */
import type { Admin, Consumer, Kafka, KafkaMessage, Message, Producer } from "kafkajs";
import { readToEnd } from "./read_to_end.ts";

export interface DeadLetter {
  message: KafkaMessage;
  reason: string;
}

export interface BatchResult {
  /** Records for the output topic; the runner puts them in the batch's partition. */
  outputs: Message[];
  deadLetters: DeadLetter[];
}

export interface ExactlyOnceTopology<S> {
  /** Names the consumer group and the transactional ids; keep it stable across releases. */
  name: string;
  inputTopic: string;
  outputTopic: string;
  deadLetterTopic: string;
  emptyState(): S;
  /** Folds one record of the output topic into the state when a partition is restored. */
  restore(state: S, message: KafkaMessage): void;
  /** Processes a batch in offset order. Mutating the state is fine: it is dropped on failure. */
  process(state: S, messages: KafkaMessage[]): Promise<BatchResult> | BatchResult;
}

export interface RunOptions {
  groupId: string;
  /** Partitions processed at once by one instance. */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface StageStats {
  processed: number;
  deadLetters: number;
  transactions: number;
}

export interface RunningStage {
  readonly stats: StageStats;
  /** Resolves when the stage has stopped by itself (a fatal error) — never on stop(). */
  readonly failed: Promise<Error>;
  stop(): Promise<void>;
}

interface PartitionTask<S> {
  producer: Producer;
  state: S;
  /** The next input offset to process; null when the group has no committed offset yet. */
  nextOffset: bigint | null;
}

/** Consumer restarts without a committed batch in between before the stage gives up. */
export const MAX_RESTARTS_IN_A_ROW = 5;

export function transactionalId(stage: string, topic: string, partition: number): string {
  return `${stage}-${topic}-${partition}`;
}

export async function runExactlyOnce<S>(
  kafka: Kafka,
  topology: ExactlyOnceTopology<S>,
  options: RunOptions,
): Promise<RunningStage> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stats: StageStats = { processed: 0, deadLetters: 0, transactions: 0 };
  const tasks = new Map<number, Promise<PartitionTask<S>>>();
  const admin: Admin = kafka.admin();
  await admin.connect();
  let failuresInARow = 0;

  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    maxWaitTimeInMs: 50,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    // A stage restarts its consumer after a failure, but only a few times in a row: a broker
    // that stays away longer than that ends the stage with one clear error instead of a hang.
    retry: {
      retries: 8,
      initialRetryTime: 100,
      restartOnFailure: (error: Error) => {
        failuresInARow++;
        const again = failuresInARow <= MAX_RESTARTS_IN_A_ROW;
        log(
          `${topology.name}: consumer failed (${error.message}); ` +
            (again ? `restart ${failuresInARow} of ${MAX_RESTARTS_IN_A_ROW}` : "giving up"),
        );
        return Promise.resolve(again);
      },
    },
  });

  async function committedOffset(partition: number): Promise<bigint | null> {
    const [topic] = await admin.fetchOffsets({
      groupId: options.groupId,
      topics: [topology.inputTopic],
    });
    const entry = topic?.partitions.find((p) => p.partition === partition);
    const offset = entry ? BigInt(entry.offset) : -1n;
    return offset >= 0n ? offset : null;
  }

  async function openTask(partition: number): Promise<PartitionTask<S>> {
    const producer = kafka.producer({
      transactionalId: transactionalId(topology.name, topology.inputTopic, partition),
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
    });
    await producer.connect();
    // The first transaction initialises the producer id: this fences any earlier owner of the
    // partition and completes or aborts its open transaction. Only then are the committed
    // offset and the output partition stable enough to read.
    await (await producer.transaction()).abort();
    const nextOffset = await committedOffset(partition);
    const state = topology.emptyState();
    let restored = 0;
    await readToEnd(kafka, topology.outputTopic, (_p, message) => {
      topology.restore(state, message);
      restored++;
    }, { partitions: [partition], readCommitted: true });
    log(
      `${topology.name}: partition ${partition} ready at offset ${
        nextOffset ?? "start"
      }, restored ${restored} records`,
    );
    return { producer, state, nextOffset };
  }

  function taskFor(partition: number): Promise<PartitionTask<S>> {
    let task = tasks.get(partition);
    if (!task) {
      task = openTask(partition);
      tasks.set(partition, task);
      task.catch(() => tasks.delete(partition));
    }
    return task;
  }

  async function dropTask(partition: number): Promise<void> {
    const task = tasks.get(partition);
    tasks.delete(partition);
    if (!task) return;
    try {
      await (await task).producer.disconnect();
    } catch {
      // a task that failed to open has nothing to close
    }
  }

  // After every rebalance, release the partitions this instance no longer owns.
  consumer.on(consumer.events.GROUP_JOIN, async ({ payload }) => {
    const owned = new Set(payload.memberAssignment[topology.inputTopic] ?? []);
    for (const partition of [...tasks.keys()]) {
      if (!owned.has(partition)) await dropTask(partition);
    }
    log(`${topology.name}: assigned partitions [${[...owned].sort((a, b) => a - b).join(", ")}]`);
  });

  let fail!: (error: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fail(payload.error);
  });

  await consumer.connect();
  await consumer.subscribe({ topic: topology.inputTopic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.concurrency ?? 3,
    eachBatchAutoResolve: false,
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const partition = batch.partition;
      const task = await taskFor(partition);
      if (!isRunning() || isStale()) return;
      let messages = batch.messages;
      if (task.nextOffset !== null) {
        const next = task.nextOffset;
        // The consumer may have fetched from an offset read before the fence; skip what the
        // previous owner already committed. Offsets rise within a batch, so the first tells.
        if (messages.length > 0 && BigInt(messages[0].offset) < next) {
          messages = messages.filter((m) => BigInt(m.offset) >= next);
        }
        if (messages.length > 0 && BigInt(messages[0].offset) > next) {
          consumer.seek({ topic: batch.topic, partition, offset: String(next) });
          return;
        }
      }
      if (messages.length === 0) return;
      const last = messages[messages.length - 1].offset;

      let result: BatchResult;
      try {
        result = await topology.process(task.state, messages);
        const transaction = await task.producer.transaction();
        try {
          const sends: Promise<unknown>[] = [];
          if (result.outputs.length > 0) {
            sends.push(transaction.send({
              topic: topology.outputTopic,
              messages: result.outputs.map((m) => ({ ...m, partition })),
            }));
          }
          if (result.deadLetters.length > 0) {
            sends.push(transaction.send({
              topic: topology.deadLetterTopic,
              messages: result.deadLetters.map(({ message, reason }) => ({
                key: message.key,
                value: message.value,
                headers: {
                  reason,
                  "source.topic": topology.inputTopic,
                  "source.partition": String(partition),
                  "source.offset": message.offset,
                },
              })),
            }));
          }
          await Promise.all(sends);
          await transaction.sendOffsets({
            consumerGroupId: options.groupId,
            topics: [{
              topic: topology.inputTopic,
              partitions: [{ partition, offset: String(BigInt(last) + 1n) }],
            }],
          });
          await transaction.commit();
        } catch (error) {
          await transaction.abort().catch(() => {});
          throw error;
        }
      } catch (error) {
        // Fenced, timed out or aborted: the state may hold this batch, so it is rebuilt from
        // the output topic, and the batch is fetched again from the committed offset.
        log(`${topology.name}: partition ${partition} transaction failed (${error}); restoring`);
        await dropTask(partition);
        throw error;
      }

      task.nextOffset = BigInt(last) + 1n;
      stats.processed += messages.length;
      stats.deadLetters += result.deadLetters.length;
      stats.transactions++;
      failuresInARow = 0;
      resolveOffset(last);
      await heartbeat();
    },
  });

  return {
    stats,
    failed,
    async stop() {
      await consumer.disconnect();
      await Promise.all([...tasks.keys()].map(dropTask));
      await admin.disconnect();
    },
  };
}
