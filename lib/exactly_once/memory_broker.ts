/**
 * A broker-free test driver for the exactly-once engine, in the spirit of Kafka Streams'
 * TopologyTestDriver: topics with offsets, transactions that are invisible until committed,
 * producer epochs that fence, group offsets, a message size limit, and a fault plan that fails
 * any one broker call before or after it takes effect.
 */
import { Buffer } from "node:buffer";
import type { BatchControl, ExactlyOnceEngine } from "./engine.ts";
import { BATCH_OVERHEAD_BYTES, DEFAULT_MAX_MESSAGE_BYTES, recordBytes } from "./chunks.ts";
import type {
  Bytes,
  EnginePorts,
  InputRecord,
  OutputRecord,
  TransactionalSession,
} from "./ports.ts";

export interface StoredRecord {
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  status: "committed" | "pending" | "aborted";
}

interface Partition {
  records: StoredRecord[];
  logStart: bigint;
}

interface Topic {
  partitions: Partition[];
  maxMessageBytes: number;
}

interface OpenTransaction {
  records: StoredRecord[];
  offsets: { group: string; topic: string; partition: number; next: bigint }[];
}

/** When the fault strikes: before the call changes anything, or after (its answer is lost). */
export type FaultTiming = "before" | "after";

export class InjectedFault extends Error {
  override name = "InjectedFault";
}

export class ProducerFencedError extends Error {
  override name = "ProducerFencedError";
}

export class MessageTooLargeError extends Error {
  override name = "MessageTooLargeError";
}

function toBuffer(part: string | Bytes | null): Buffer | null {
  if (part === null) return null;
  return typeof part === "string" ? Buffer.from(part) : Buffer.from(part);
}

export class MemoryBroker {
  readonly topics = new Map<string, Topic>();
  readonly groupOffsets = new Map<string, Map<string, bigint>>();
  readonly #epochs = new Map<string, number>();
  readonly #open = new Map<string, OpenTransaction>();
  /** Every broker call the engine made, in order: `<op> <transactional id or topic>`. */
  readonly calls: string[] = [];
  #fault: { at: number; timing: FaultTiming } | null = null;
  /** Rejections of a send larger than the topic's message size. */
  tooLarge = 0;
  /** Commits that moved a group offset backwards: a zombie's doing. */
  regressions = 0;
  /** Backoffs taken; past `maxSleeps` the engine is stalled and the driver says so. */
  sleeps = 0;
  maxSleeps = 1_000;

  createTopic(name: string, partitions: number, maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {
    if (this.topics.has(name)) return;
    this.topics.set(name, {
      partitions: Array.from({ length: partitions }, () => ({ records: [], logStart: 0n })),
      maxMessageBytes,
    });
  }

  addPartitions(name: string, count: number): void {
    const topic = this.#topic(name);
    while (topic.partitions.length < count) topic.partitions.push({ records: [], logStart: 0n });
  }

  partitionCount(name: string): number {
    return this.#topic(name).partitions.length;
  }

  /** A plain, non-transactional write, as a foreign producer makes it. */
  produce(
    name: string,
    partition: number,
    key: string | Bytes | null,
    value: string | Bytes | null,
  ) {
    const p = this.#topic(name).partitions[partition];
    p.records.push({
      offset: this.#end(p),
      key: toBuffer(key),
      value: toBuffer(value),
      headers: {},
      status: "committed",
    });
  }

  /** Fails the `at`-th broker call from now on (0 is the next one). */
  failCall(at: number, timing: FaultTiming): void {
    this.#fault = { at: this.calls.length + at, timing };
  }

  /** What a read_committed consumer sees from `from`: up to the first open transaction. */
  readCommitted(name: string, partition: number, from = 0n): StoredRecord[] {
    const p = this.#topic(name).partitions[partition];
    const out: StoredRecord[] = [];
    for (const record of p.records) {
      if (record.status === "pending") break;
      if (record.offset < from || record.offset < p.logStart) continue;
      if (record.status === "committed") out.push(record);
    }
    return out;
  }

  /** The latest committed value per key over every partition, as a compacted table reads. */
  table(name: string): Map<string, { partition: number; value: string | null }> {
    const latest = new Map<string, { partition: number; value: string | null }>();
    this.#topic(name).partitions.forEach((_, partition) => {
      for (const r of this.readCommitted(name, partition)) {
        latest.set(r.key?.toString() ?? "", { partition, value: r.value?.toString() ?? null });
      }
    });
    return latest;
  }

  deleteGroup(group: string): void {
    this.groupOffsets.delete(group);
  }

  committedOffset(group: string, topic: string, partition: number): bigint | undefined {
    return this.groupOffsets.get(group)?.get(`${topic}:${partition}`);
  }

  logStart(name: string, partition: number): bigint {
    return this.#topic(name).partitions[partition].logStart;
  }

  ports(): EnginePorts {
    return {
      session: (id) => this.#session(id),
      lastCheckpoint: (topic, partition) =>
        this.#call(`lastCheckpoint ${topic}`, () => {
          const records = this.readCommitted(topic, partition);
          return records.length === 0 ? null : records[records.length - 1].value;
        }),
      ensurePartitions: (topic, count) =>
        this.#call(`ensurePartitions ${topic}`, () => {
          this.createTopic(topic, count);
          this.addPartitions(topic, count);
        }),
      maxMessageBytes: (topic) =>
        Promise.resolve(this.topics.get(topic)?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES),
      deleteRecordsBefore: (topic, partition, offset) =>
        this.#call(`deleteRecords ${topic}`, () => {
          const p = this.#topic(topic).partitions[partition];
          if (offset > p.logStart) p.logStart = offset;
        }),
      sleep: () => {
        if (++this.sleeps > this.maxSleeps) {
          return Promise.reject(new Error(`stalled: ${this.sleeps} retries in a row`));
        }
        return Promise.resolve();
      },
    };
  }

  #topic(name: string): Topic {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`no topic ${name}`);
    return topic;
  }

  #end(p: Partition): bigint {
    return p.records.length === 0 ? p.logStart : p.records[p.records.length - 1].offset + 1n;
  }

  async #call<T>(name: string, effect: () => T): Promise<T> {
    await Promise.resolve();
    const index = this.calls.length;
    this.calls.push(name);
    const fault = this.#fault?.at === index ? this.#fault : null;
    if (fault?.timing === "before") throw new InjectedFault(`injected before ${name}`);
    const result = effect();
    if (fault?.timing === "after") throw new InjectedFault(`injected after ${name}`);
    return result;
  }

  #session(id: string): TransactionalSession {
    let epoch = -1;
    const checkEpoch = () => {
      if (epoch !== this.#epochs.get(id)) throw new ProducerFencedError(`${id} was fenced`);
    };
    const open = () => {
      checkEpoch();
      const txn = this.#open.get(id);
      if (!txn) throw new Error(`${id} has no open transaction`);
      return txn;
    };
    const end = (outcome: "committed" | "aborted") => {
      const txn = open();
      for (const record of txn.records) record.status = outcome;
      if (outcome === "committed") {
        for (const o of txn.offsets) {
          const offsets = this.groupOffsets.get(o.group) ?? new Map<string, bigint>();
          const before = offsets.get(`${o.topic}:${o.partition}`);
          if (before !== undefined && o.next < before) this.regressions++;
          offsets.set(`${o.topic}:${o.partition}`, o.next);
          this.groupOffsets.set(o.group, offsets);
        }
      }
      this.#open.delete(id);
    };
    return {
      init: () =>
        this.#call(`init ${id}`, () => {
          epoch = (this.#epochs.get(id) ?? -1) + 1;
          this.#epochs.set(id, epoch);
          for (const record of this.#open.get(id)?.records ?? []) record.status = "aborted";
          this.#open.delete(id);
        }),
      begin: () =>
        this.#call(`begin ${id}`, () => {
          checkEpoch();
          if (this.#open.has(id)) throw new Error(`${id} already has an open transaction`);
          this.#open.set(id, { records: [], offsets: [] });
        }),
      send: (records: OutputRecord[]) =>
        this.#call(`send ${id}`, () => {
          const txn = open();
          const batches = new Map<string, number>();
          for (const r of records) {
            const key = `${r.topic}:${r.partition}`;
            batches.set(key, (batches.get(key) ?? BATCH_OVERHEAD_BYTES) + recordBytes(r));
          }
          for (const [key, bytes] of batches) {
            const topic = this.#topic(key.slice(0, key.lastIndexOf(":")));
            if (bytes > topic.maxMessageBytes) {
              this.tooLarge++;
              throw new MessageTooLargeError(`${bytes} bytes to ${key}`);
            }
          }
          for (const r of records) {
            const p = this.#topic(r.topic).partitions[r.partition];
            if (!p) throw new Error(`no partition ${r.partition} of ${r.topic}`);
            const stored: StoredRecord = {
              offset: this.#end(p),
              key: toBuffer(r.key),
              value: toBuffer(r.value),
              headers: r.headers ?? {},
              status: "pending",
            };
            p.records.push(stored);
            txn.records.push(stored);
          }
        }),
      sendOffsets: (group, topic, partition, next) =>
        this.#call(`sendOffsets ${id}`, () => {
          open().offsets.push({ group, topic, partition, next });
        }),
      commit: () => this.#call(`commit ${id}`, () => end("committed")),
      abort: () => this.#call(`abort ${id}`, () => end("aborted")),
      close: () => Promise.resolve(),
    };
  }
}

/**
 * A group member's consumer: fetch positions start at the committed offsets of each hop's group
 * (or the log start), batches go to the engine, resolved offsets move the positions on. A new assignment
 * resets the positions from the committed offsets, as a rejoin does.
 */
export class MemoryConsumer {
  readonly #positions = new Map<string, bigint>();
  #assignment: Record<string, number[]> = {};
  active = true;

  constructor(
    readonly broker: MemoryBroker,
    readonly engine: ExactlyOnceEngine,
    readonly maxBatch = 100,
  ) {}

  async assign(assignment: Record<string, number[]>): Promise<void> {
    this.#assignment = assignment;
    this.#positions.clear();
    await this.engine.assign(assignment, this.engine.inputTopics);
  }

  /** Every partition of the engine's input topics. */
  async assignAll(): Promise<void> {
    const assignment: Record<string, number[]> = {};
    for (const topic of this.engine.inputTopics) {
      assignment[topic] = [...Array(this.broker.partitionCount(topic)).keys()];
    }
    await this.assign(assignment);
  }

  /** One fetch per assigned partition; returns how many records were handed over. */
  async poll(control: Partial<BatchControl> = {}): Promise<number> {
    let handed = 0;
    for (const [topic, partitions] of Object.entries(this.#assignment)) {
      for (const partition of partitions) {
        const key = `${topic}:${partition}`;
        const from = this.#positions.get(key) ??
          this.broker.committedOffset(this.engine.consumerGroup(topic), topic, partition) ??
          this.broker.logStart(topic, partition);
        const records: InputRecord[] = this.broker.readCommitted(topic, partition, from)
          .slice(0, this.maxBatch)
          .map((r) => ({ offset: r.offset, key: r.key, value: r.value }));
        if (records.length === 0) continue;
        handed += records.length;
        const resolved = await this.engine.handleBatch(topic, partition, records, {
          heartbeat: control.heartbeat ?? (() => Promise.resolve()),
          isActive: control.isActive ?? (() => this.active),
        });
        if (resolved !== null) this.#positions.set(key, resolved + 1n);
      }
    }
    return handed;
  }

  /** Polls until a whole round hands nothing over. */
  async drain(maxRounds = 10_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      if (await this.poll() === 0) return;
    }
    throw new Error(`still busy after ${maxRounds} rounds`);
  }
}
