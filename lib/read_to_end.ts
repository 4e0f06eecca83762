/**
 * Reads a topic from its beginning up to the end offsets it had when the call started:
 * the way a stage restores state from a compacted topic before it goes live.
 */
import { Buffer } from "node:buffer";
import {
  type Admin,
  AssignerProtocol,
  type Consumer,
  type Kafka,
  type KafkaMessage,
  type PartitionAssigner,
} from "kafkajs";

export interface ReadToEndOptions {
  /** Only these partitions are waited for (and delivered); all when omitted. */
  partitions?: readonly number[];
  /** Read only committed transactional data (the default, for transactional outputs). */
  readCommitted?: boolean;
  /** Give up after this long with an error naming the partitions still behind. */
  timeoutMs?: number;
  /** Told each fetched batch's high watermark, which counts records of open transactions. */
  onHighWatermark?: (partition: number, highWatermark: bigint) => void;
  /** The end offsets to read to, when the caller has just fetched them. */
  ends?: ReadonlyMap<number, bigint>;
}

/**
 * End offsets (the next offset to be written) of each partition of a topic, through `admin`
 * when given (it stays connected), else, or where `admin` holds stale metadata for the topic,
 * through short-lived admin clients of its own.
 */
export async function endOffsets(
  kafka: Kafka,
  topic: string,
  admin?: Admin,
): Promise<Map<number, bigint>> {
  if (admin) {
    try {
      return await fetchEndOffsets(admin, topic);
    } catch (error) {
      if (!isStaleMetadata(error)) throw error;
    }
  }
  for (let attempt = 1;; attempt++) {
    // A client of its own reads the topic's metadata afresh.
    const own = kafka.admin();
    await own.connect();
    try {
      return await fetchEndOffsets(own, topic);
    } catch (error) {
      if (!isStaleMetadata(error) || attempt >= 20) throw error;
    } finally {
      await own.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * kafkajs 2.2.4's fetchTopicOffsets fails with a TypeError (reading `partitions` of undefined)
 * when its cached metadata lists a topic without leaders for its partitions, as it can for a topic
 * created a moment ago. It keeps that metadata until it expires, minutes later, so asking the same
 * client again fails the same way.
 */
function isStaleMetadata(error: unknown): boolean {
  return error instanceof TypeError && /partitions/.test(error.message);
}

async function fetchEndOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  // A topic created a moment ago may not have its leaders known everywhere yet.
  for (let attempt = 1;; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Tracks a consumer's way to the end offsets a topic had at some moment: `reached` is fed the
 * offsets the consumer gets to, and `done` resolves when every partition is there.
 */
export class CatchUp {
  /** The end offset still to be reached, per partition that has anything to read. */
  readonly #behind = new Map<number, bigint>();
  readonly done: Promise<void>;
  #finish!: () => void;

  constructor(ends: ReadonlyMap<number, bigint>, partitions: readonly number[] = [...ends.keys()]) {
    this.done = new Promise((resolve) => (this.#finish = resolve));
    for (const partition of partitions) {
      const end = ends.get(partition);
      if (end === undefined) throw new Error(`no partition ${partition}`);
      if (end > 0n) this.#behind.set(partition, end);
    }
    if (this.#behind.size === 0) this.#finish();
  }

  get caughtUp(): boolean {
    return this.#behind.size === 0;
  }

  /** The partitions not yet at their end. */
  get behind(): number[] {
    return [...this.#behind.keys()];
  }

  /** True when the record at `offset` lies before the end the partition is catching up to. */
  isBefore(partition: number, offset: string): boolean {
    const end = this.#behind.get(partition);
    return end !== undefined && BigInt(offset) < end;
  }

  reached(partition: number, offset: string | null | undefined): void {
    const end = this.#behind.get(partition);
    if (end === undefined || offset === null || offset === undefined) return;
    if (BigInt(offset) + 1n >= end) {
      this.#behind.delete(partition);
      if (this.#behind.size === 0) this.#finish();
    }
  }

  /**
   * Follows a consumer: batches of aborted records or transaction markers deliver no message,
   * but this event still reports how far the fetch got, which is what tells us we are at the end.
   */
  follow(consumer: Consumer): void {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.reached(payload.partition, payload.lastOffset);
    });
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
  const catchUp = new CatchUp(options.ends ?? await endOffsets(kafka, topic), options.partitions);
  if (catchUp.caughtUp) return;

  const consumer = kafka.consumer({
    groupId: `restore-${topic}-${crypto.randomUUID()}`,
    // Fetch only the partitions asked for, not the whole topic.
    ...(options.partitions
      ? { partitionAssigners: [onlyPartitions(topic, options.partitions)] }
      : {}),
    readUncommitted: options.readCommitted === false,
    maxBytesPerPartition: 16 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  catchUp.follow(consumer);
  const onHighWatermark = options.onHighWatermark;
  if (onHighWatermark) {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      onHighWatermark(payload.partition, BigInt(payload.highWatermark));
    });
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `reading ${topic} to its end timed out; partitions still behind: ${
              catchUp.behind.join(", ")
            }`,
          ),
        ),
      options.timeoutMs ?? 60_000,
    );
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (!catchUp.isBefore(batch.partition, message.offset)) break;
          onMessage(batch.partition, message);
        }
        await Promise.resolve();
      },
    });
    await Promise.race([catchUp.done, timedOut]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

/** An assigner that gives the group's one member the chosen partitions and nothing else. */
function onlyPartitions(topic: string, partitions: readonly number[]): PartitionAssigner {
  const name = "OnlyPartitions";
  return () => ({
    name,
    version: 0,
    assign: ({ members }) =>
      Promise.resolve(members.map((member, i) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: i === 0 ? { [topic]: [...partitions] } : {},
          userData: Buffer.alloc(0),
        }),
      }))),
    protocol: ({ topics }) => ({
      name,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 0,
        topics,
        userData: Buffer.alloc(0),
      }),
    }),
  });
}
