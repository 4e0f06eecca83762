/**
 * The exactly-once consume-transform-produce loop as a state machine over `EnginePorts`, free of
 * any Kafka client. kafkajs has no consumer-group fencing (KIP-447), so every input partition is
 * a task with its own transactional producer, `<group>-<topic>-<partition>`: whoever opens a
 * task fences its earlier owners. Each transaction writes the hop's outputs, its dead letters,
 * the group offset and a checkpoint (the next input offset and the hop's state) to the task's own
 * partition of a compacted checkpoint topic. A task restores from that checkpoint alone, so lost
 * group offsets cannot make it count anything twice, and restoring reads one small partition.
 */
import { Buffer } from "node:buffer";
import {
  type Bytes,
  DependencyUnavailableError,
  type EnginePorts,
  type InputRecord,
  type OutputRecord,
  type TransactionalSession,
} from "./ports.ts";
import { deadLetterRecord, DEFAULT_MAX_MESSAGE_BYTES, sendByPartition } from "./chunks.ts";
import { logger } from "../log.ts";

export interface DeadLetter {
  record: InputRecord;
  reason: string;
}

export interface HopResult {
  outputs: OutputRecord[];
  deadLetters: DeadLetter[];
}

/** One consume-transform-produce hop: an input topic, its transformation and its checkpoints. */
export interface Hop<S> {
  /** Short and stable across releases: it names the hop in logs. */
  name: string;
  inputTopic: string;
  /** Compacted; partition p holds the checkpoints of input partition p and nothing else. */
  checkpointTopic: string;
  deadLetterTopic: string;
  emptyState(): S;
  encodeState(state: S): unknown;
  decodeState(json: unknown): S;
  /** Records in offset order. Mutating the state is fine: a failed batch drops it. */
  process(state: S, records: InputRecord[], partition: number): Promise<HopResult> | HopResult;
  /** Delete input records once they are committed (the hop owns its input, a repartition topic). */
  purgeInput?: boolean;
}

/** What a consumer lends the engine while it holds a batch. */
export interface BatchControl {
  /** Keeps the membership alive; throws when the group has moved on without us. */
  heartbeat(): Promise<void>;
  /** False once the batch is stale (a seek, a stop) and must be left alone. */
  isActive(): boolean;
}

export interface EngineStats {
  processed: number;
  deadLetters: number;
  transactions: number;
  retries: number;
}

/** Told what the engine does, for metrics; every call is cheap and must not throw. */
export interface EngineObserver {
  committed(
    hop: Hop<unknown>,
    batch: { inputs: number; outputs: OutputRecord[]; deadLetters: number; ms: number },
  ): void;
  aborted(hop: Hop<unknown>): void;
  restored(hop: Hop<unknown>, ms: number): void;
}

/** Where the engine's lines go; retries are warnings, the rest information. */
export type EngineLog = (line: string, level?: "info" | "warn") => void;

export interface EngineOptions {
  group: string;
  observer?: EngineObserver;
  /** Default: lib/log.ts's logger named by the group. */
  log?: EngineLog;
  maxBackoffMs?: number;
  /** How often a task may purge its committed input. */
  purgeIntervalMs?: number;
  now?: () => number;
}

/**
 * The consumer group that reads a hop's input: the stage's group for the first hop, and a group
 * of its own for each later one. A kafkajs consumer fetches again only once every batch of its
 * last fetch is done, so hops that shared one would wait for each other's transactions.
 */
export function hopConsumerGroup(group: string, hopIndex: number, hopName: string): string {
  return hopIndex === 0 ? group : `${group}-${hopName}`;
}

export function transactionalId(group: string, topic: string, partition: number): string {
  return `${group}-${topic}-${partition}`;
}

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

export interface Checkpoint {
  next: bigint;
  state: unknown;
}

export function checkpointKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function encodeCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify({ next: String(checkpoint.next), state: checkpoint.state });
}

export function decodeCheckpoint(bytes: Bytes): Checkpoint {
  const text = Buffer.from(bytes).toString("utf8");
  let parsed: { next?: unknown; state?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CheckpointError(`a checkpoint is not JSON: ${text.slice(0, 80)}`);
  }
  if (typeof parsed?.next !== "string" || !/^\d+$/.test(parsed.next)) {
    throw new CheckpointError(`a checkpoint has no next offset: ${text.slice(0, 80)}`);
  }
  return { next: BigInt(parsed.next), state: parsed.state ?? null };
}

/** Errors that retrying cannot cure: the stage stops with one line instead. */
export function isFatal(error: unknown): boolean {
  if (error instanceof CheckpointError) return true;
  const e = error as { name?: string; type?: string; message?: string };
  if (e?.name === "KafkaJSSASLAuthenticationError") return true;
  return /AUTHORIZATION_FAILED/.test(e?.type ?? "") || /not authorized/i.test(e?.message ?? "");
}

function describe(error: unknown): string {
  if (error instanceof DependencyUnavailableError) return error.message;
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${e?.message ?? String(error)}`;
}

class Task<S> {
  next: bigint | null;
  #lastPurge = 0;

  constructor(
    readonly hop: Hop<S>,
    readonly partition: number,
    readonly session: TransactionalSession,
    public state: S,
    next: bigint | null,
  ) {
    this.next = next;
  }

  /** The records not yet committed; those below the checkpoint were counted by an earlier owner. */
  fresh(records: InputRecord[]): InputRecord[] {
    const next = this.next;
    if (next === null || records.length === 0 || records[0].offset >= next) return records;
    return records.filter((r) => r.offset >= next);
  }

  purgeDue(now: number, interval: number): boolean {
    if (!this.hop.purgeInput || now - this.#lastPurge < interval) return false;
    this.#lastPurge = now;
    return true;
  }
}

export class ExactlyOnceEngine {
  readonly stats: EngineStats = { processed: 0, deadLetters: 0, transactions: 0, retries: 0 };
  readonly #hops = new Map<string, Hop<unknown>>();
  readonly #consumerGroups = new Map<string, string>();
  readonly #tasks = new Map<string, Promise<Task<unknown>>>();
  readonly #opened = new Set<string>();
  /** The partitions this instance holds per input topic; a topic is unknown until assigned. */
  readonly #assignment = new Map<string, Set<number>>();
  readonly #log: EngineLog;
  readonly #maxBackoffMs: number;
  readonly #purgeIntervalMs: number;
  readonly #now: () => number;
  #fatal: (error: Error) => void = () => {};
  /** Resolves with the error that stops the stage for good. */
  readonly failed: Promise<Error>;

  constructor(
    private readonly ports: EnginePorts,
    hops: Hop<unknown>[],
    private readonly options: EngineOptions,
  ) {
    hops.forEach((hop, i) => {
      this.#hops.set(hop.inputTopic, hop);
      this.#consumerGroups.set(hop.inputTopic, hopConsumerGroup(options.group, i, hop.name));
    });
    const groupLog = logger(options.group);
    this.#log = options.log ?? ((line, level = "info") => groupLog[level](line));
    this.#maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.#purgeIntervalMs = options.purgeIntervalMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.failed = new Promise((resolve) => (this.#fatal = resolve));
  }

  get inputTopics(): string[] {
    return [...this.#hops.keys()];
  }

  /** The consumer group whose offsets a hop's transactions commit. */
  consumerGroup(inputTopic: string): string {
    const group = this.#consumerGroups.get(inputTopic);
    if (group === undefined) throw new Error(`no hop reads ${inputTopic}`);
    return group;
  }

  /** Every hop's input assigned, and every assigned partition's task open: fenced and restored. */
  ready(): boolean {
    return this.inputTopics.every((topic) => this.opened(topic));
  }

  /** The topic is assigned, and every partition of it assigned here has its task open. */
  opened(topic: string): boolean {
    const partitions = this.#assignment.get(topic);
    if (partitions === undefined) return false;
    for (const partition of partitions) {
      if (!this.#opened.has(taskKey(topic, partition))) return false;
    }
    return true;
  }

  /**
   * A rebalance's outcome for `topics` (by default those the assignment names; a topic named
   * without partitions holds none): tasks of partitions that moved elsewhere are closed, and those
   * of new partitions are opened at once (fenced and restored) rather than at their first batch.
   * A task that fails to open here is opened again by its first batch.
   */
  async assign(
    assignment: Record<string, readonly number[]>,
    topics: readonly string[] = Object.keys(assignment),
  ): Promise<void> {
    for (const topic of topics) this.#assignment.set(topic, new Set(assignment[topic] ?? []));
    const dropped = [...this.#tasks.keys()].filter((key) => {
      const [topic, partition] = splitKey(key);
      return !this.#owns(topic, partition);
    });
    await Promise.all(dropped.map((key) => this.#drop(key)));
    const idle: BatchControl = { heartbeat: () => Promise.resolve(), isActive: () => true };
    await Promise.all(
      topics.flatMap((topic) => {
        const hop = this.#hops.get(topic);
        if (!hop) return [];
        return [...this.#assignment.get(topic)!].map((partition) =>
          this.#task(taskKey(topic, partition), hop, partition, idle).then(() => {}, (error) => {
            this.#log(
              `${hop.name}: ${topic}[${partition}] not opened yet: ${describe(error)}`,
              "warn",
            );
          })
        );
      }),
    );
  }

  /**
   * Processes one fetched batch in a transaction, retrying until it commits, the batch goes
   * stale or the group takes the partition away. Returns the last offset to resolve, or null
   * when the batch was left to a later fetch or another owner.
   */
  async handleBatch(
    topic: string,
    partition: number,
    records: InputRecord[],
    control: BatchControl,
  ): Promise<bigint | null> {
    const hop = this.#hops.get(topic);
    if (!hop) throw new Error(`no hop reads ${topic}`);
    if (records.length === 0) return null;
    const key = taskKey(topic, partition);
    let backoff = 100;
    let failures = 0;
    for (;;) {
      if (!control.isActive() || !this.#owns(topic, partition)) return null;
      try {
        const task = await this.#task(key, hop, partition, control);
        await this.#commitBatch(task, records);
        if (failures > 0) {
          this.#log(
            `${hop.name}: ${topic}[${partition}] committed again after ${failures} retries`,
          );
        }
        return records[records.length - 1].offset;
      } catch (error) {
        await this.#drop(key);
        if (isFatal(error)) {
          this.#fatal(error as Error);
          return null;
        }
        failures++;
        this.stats.retries++;
        // One line per outage, not one per retry.
        if (failures === 1) {
          this.#log(`${hop.name}: ${topic}[${partition}] ${describe(error)}; retrying`, "warn");
        }
        await control.heartbeat();
        await this.ports.sleep(backoff);
        backoff = Math.min(backoff * 2, this.#maxBackoffMs);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#tasks.keys()].map((key) => this.#drop(key)));
  }

  #owns(topic: string, partition: number): boolean {
    return this.#assignment.get(topic)?.has(partition) ?? !this.#assignment.has(topic);
  }

  #task<S>(key: string, hop: Hop<S>, partition: number, control: BatchControl): Promise<Task<S>> {
    let task = this.#tasks.get(key) as Promise<Task<S>> | undefined;
    if (!task) {
      task = this.#open(hop, partition, control);
      this.#tasks.set(key, task as Promise<Task<unknown>>);
      task.then(() => {
        if (this.#tasks.get(key) === task) this.#opened.add(key);
      }, () => {
        if (this.#tasks.get(key) === task) this.#tasks.delete(key);
      });
    }
    return task;
  }

  async #open<S>(hop: Hop<S>, partition: number, control: BatchControl): Promise<Task<S>> {
    await this.ports.ensurePartitions(hop.checkpointTopic, partition + 1);
    const session = this.ports.session(
      transactionalId(this.options.group, hop.inputTopic, partition),
    );
    // Restoring must not cost the membership.
    const keepAlive = setInterval(() => control.heartbeat().catch(() => {}), 1_000);
    const started = this.#now();
    try {
      await session.init();
      const bytes = await this.ports.lastCheckpoint(hop.checkpointTopic, partition);
      const checkpoint = bytes === null ? null : decodeCheckpoint(bytes);
      const state = checkpoint === null ? hop.emptyState() : hop.decodeState(checkpoint.state);
      this.options.observer?.restored(hop as Hop<unknown>, this.#now() - started);
      this.#log(
        `${hop.name}: ${hop.inputTopic}[${partition}] ready at offset ${
          checkpoint?.next ?? "start"
        }`,
      );
      return new Task(hop, partition, session, state, checkpoint?.next ?? null);
    } catch (error) {
      await session.close().catch(() => {});
      throw error;
    } finally {
      clearInterval(keepAlive);
    }
  }

  async #commitBatch<S>(task: Task<S>, records: InputRecord[]): Promise<void> {
    const fresh = task.fresh(records);
    // Wholly below the checkpoint: nothing to do but move the position on.
    if (fresh.length === 0) return;
    const { hop, partition, session } = task;
    const result = await hop.process(task.state, fresh, partition);
    const next = fresh[fresh.length - 1].offset + 1n;
    const deadLetterBytes = result.deadLetters.length > 0
      ? await this.ports.maxMessageBytes(hop.deadLetterTopic)
      : 0;
    const deadLetters = result.deadLetters.map(({ record, reason }) =>
      deadLetterRecord(record, reason, {
        deadLetterTopic: hop.deadLetterTopic,
        sourceTopic: hop.inputTopic,
        sourcePartition: partition,
        consumerGroup: this.consumerGroup(hop.inputTopic),
        maxBytes: deadLetterBytes,
      })
    );
    const checkpoint: OutputRecord = {
      topic: hop.checkpointTopic,
      partition,
      key: checkpointKey(hop.inputTopic, partition),
      value: encodeCheckpoint({ next, state: hop.encodeState(task.state) }),
    };
    const started = this.#now();
    await session.begin();
    try {
      await sendByPartition(
        session,
        [...result.outputs, ...deadLetters, checkpoint],
        (topic) => topic === hop.deadLetterTopic ? deadLetterBytes : DEFAULT_MAX_MESSAGE_BYTES,
      );
      // After the sends: the broker refuses AddOffsetsToTxn, and kafkajs does not retry it, while
      // the last transaction's markers are still being written; the sends wait for those.
      await session.sendOffsets(
        this.consumerGroup(hop.inputTopic),
        hop.inputTopic,
        partition,
        next,
      );
      await session.commit();
    } catch (error) {
      this.options.observer?.aborted(hop as Hop<unknown>);
      await session.abort().catch(() => {});
      throw error;
    }
    this.options.observer?.committed(hop as Hop<unknown>, {
      inputs: fresh.length,
      outputs: result.outputs,
      deadLetters: deadLetters.length,
      ms: this.#now() - started,
    });
    task.next = next;
    this.stats.processed += fresh.length;
    this.stats.deadLetters += deadLetters.length;
    this.stats.transactions++;
    if (task.purgeDue(this.#now(), this.#purgeIntervalMs)) {
      // Best effort: what is not purged now is purged next time.
      await this.ports.deleteRecordsBefore(hop.inputTopic, partition, next).catch(() => {});
    }
  }

  async #drop(key: string): Promise<void> {
    const task = this.#tasks.get(key);
    this.#tasks.delete(key);
    this.#opened.delete(key);
    if (!task) return;
    try {
      await (await task).session.close();
    } catch {
      // a task that failed to open has nothing to close
    }
  }
}

function taskKey(topic: string, partition: number): string {
  return `${partition}\u0000${topic}`;
}

function splitKey(key: string): [string, number] {
  const at = key.indexOf("\u0000");
  return [key.slice(at + 1), Number(key.slice(0, at))];
}
