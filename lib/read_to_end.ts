/**
 * Reads a topic from its beginning up to the end offsets it had when the call started:
 * the way a stage restores state from a compacted topic before it goes live.
 */
import type { Kafka, KafkaMessage } from "kafkajs";

export interface ReadToEndOptions {
  /** Only these partitions are waited for (and delivered); all when omitted. */
  partitions?: readonly number[];
  /** Read only committed transactional data (the default, for transactional outputs). */
  readCommitted?: boolean;
  /** Give up after this long with an error naming the partitions still behind. */
  timeoutMs?: number;
}

/** End offsets (the next offset to be written) of each partition of a topic. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Delivers every record of `topic` (of the chosen partitions) that lies before the end offsets
 * taken at the start of the call, in order per partition, then resolves.
 */
export async function readToEnd(
  kafka: Kafka,
  topic: string,
  onMessage: (partition: number, message: KafkaMessage) => void,
  options: ReadToEndOptions = {},
): Promise<void> {
  const ends = await endOffsets(kafka, topic);
  const wanted = options.partitions ?? [...ends.keys()];
  // The next offset still to be reached, per partition that has anything to read.
  const behind = new Map<number, bigint>();
  for (const partition of wanted) {
    const end = ends.get(partition);
    if (end === undefined) throw new Error(`${topic} has no partition ${partition}`);
    if (end > 0n) behind.set(partition, end);
  }
  if (behind.size === 0) return;

  const consumer = kafka.consumer({
    groupId: `restore-${topic}-${crypto.randomUUID()}`,
    readUncommitted: options.readCommitted === false,
    maxBytesPerPartition: 16 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const reached = (partition: number, lastOffset: string | null | undefined) => {
    const end = behind.get(partition);
    if (end === undefined || lastOffset === null || lastOffset === undefined) return;
    if (BigInt(lastOffset) + 1n >= end) {
      behind.delete(partition);
      if (behind.size === 0) finish();
    }
  };
  // Batches of aborted records or transaction markers deliver no message; this event still
  // reports how far the fetch got, which is what tells us we are at the end.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    reached(payload.partition, payload.lastOffset);
  });
  const timer = setTimeout(
    () =>
      fail(
        new Error(
          `reading ${topic} to its end timed out; partitions still behind: ${
            [...behind.keys()].join(", ")
          }`,
        ),
      ),
    options.timeoutMs ?? 60_000,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const end = behind.get(batch.partition);
        if (end === undefined) return;
        for (const message of batch.messages) {
          if (BigInt(message.offset) >= end) break;
          onMessage(batch.partition, message);
        }
        await Promise.resolve();
      },
    });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}
