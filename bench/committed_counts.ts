/**
 * Follows a compacted count topic (latest count per key) with a read_committed consumer and
 * tells when the counts add up to a total: how the benchmarks see that a stage has finished.
 */
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";

/** Reads one output record as (key, count), or null when it is not a count. */
export type CountDecoder = (message: KafkaMessage) => { key: number; count: number } | null;

export class CommittedCounts {
  readonly counts = new Map<number, number>();
  #total = 0;
  #target = Infinity;
  #firstAt: number | undefined;
  #reached!: (at: number) => void;
  /** Resolves with performance.now() of the moment the total reached the target. */
  readonly reached: Promise<number> = new Promise((resolve) => (this.#reached = resolve));

  private constructor(private readonly consumer: Consumer) {}

  /** Subscribes from the beginning and resolves once the consumer has joined its group. */
  static async follow(
    kafka: Kafka,
    topic: string,
    decode: CountDecoder,
  ): Promise<CommittedCounts> {
    const consumer = kafka.consumer({
      groupId: `bench-follow-${crypto.randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 50,
    });
    const follower = new CommittedCounts(consumer);
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      // Nothing to commit: a follower always reads from the beginning, and its group vanishes.
      autoCommit: false,
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) {
          const decoded = decode(message);
          if (decoded) follower.#add(decoded.key, decoded.count);
        }
        return Promise.resolve();
      },
    });
    await joined;
    return follower;
  }

  get total(): number {
    return this.#total;
  }

  /** performance.now() of the first count seen, if any. */
  get firstAt(): number | undefined {
    return this.#firstAt;
  }

  expect(total: number): void {
    this.#target = total;
    if (this.#total >= total) this.#reached(performance.now());
  }

  #add(key: number, count: number): void {
    this.#firstAt ??= performance.now();
    this.#total += count - (this.counts.get(key) ?? 0);
    this.counts.set(key, count);
    if (this.#total >= this.#target) this.#reached(performance.now());
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Stations whose count differs from the expected one, as `station: got/expected`. */
export function countMismatches(
  actual: ReadonlyMap<number, number>,
  expected: ReadonlyMap<number, number>,
): string[] {
  const keys = new Set([...actual.keys(), ...expected.keys()]);
  return [...keys].sort((a, b) => a - b).flatMap((key) => {
    const got = actual.get(key) ?? 0;
    const want = expected.get(key) ?? 0;
    return got === want ? [] : [`${key}: ${got}/${want}`];
  });
}
