/**
 * How instances of the stations stage divide the work, free of I/O.
 *
 * One station's record can depend on stops in any input partition (the input is keyed by stop
 * id), so every instance keeps an index of the whole input, which is small and compacted. The
 * writing is divided: the consumer group assigns input partitions, and the owner of input
 * partition p alone writes p's dead letters and every output partition q with
 * q % inputPartitions === p, through a transactional producer of its own for p. Taking p over
 * fences the previous owner's producer first; only then does the new owner read what its output
 * partitions hold and write the difference, so no record is written twice.
 */
import type { TransformedStation } from "../../lib/contracts/stations_transformed.ts";
import { changes, type OutputRecord } from "./topology.ts";

/** The input partition whose owner writes output partition `outputPartition`. */
export function ownerOf(outputPartition: number, inputPartitions: number): number {
  return outputPartition % inputPartitions;
}

/** The output partitions that the owner of `inputPartition` writes. */
export function outputsOf(
  inputPartition: number,
  inputPartitions: number,
  outputPartitions: number,
): number[] {
  const outputs: number[] = [];
  for (let q = 0; q < outputPartitions; q++) {
    if (ownerOf(q, inputPartitions) === inputPartition) outputs.push(q);
  }
  return outputs;
}

/** The part of the output one input partition's owner writes: its output partitions' keys. */
export class OutputShare {
  readonly #emitted = new Map<string, string>();

  constructor(
    readonly outputs: ReadonlySet<number>,
    readonly partitionOf: (key: string) => number,
  ) {}

  owns(key: string): boolean {
    return this.outputs.has(this.partitionOf(key));
  }

  get size(): number {
    return this.#emitted.size;
  }

  /** Folds in a record read back from one of the share's output partitions. */
  restore(key: string, value: string | null): void {
    if (value === null) this.#emitted.delete(key);
    else this.#emitted.set(key, value);
  }

  /**
   * The records that bring this share of the output to `desired`, limited to `keys` when
   * given. Keys of other shares are left to their owners.
   */
  diff(desired: ReadonlyMap<string, TransformedStation>, keys?: Iterable<string>): OutputRecord[] {
    const candidates = keys ?? new Set([...this.#emitted.keys(), ...desired.keys()]);
    return changes(this.#emitted, desired, [...candidates].filter((key) => this.owns(key)));
  }

  /** Records what has been written (committed). */
  written(records: readonly OutputRecord[]): void {
    for (const { key, value } of records) this.restore(key, value);
  }
}

/** Where a dead letter came from, as its headers say; one letter per source. */
export function sourceOf(partition: number, offset: string): string {
  return `${partition}@${offset}`;
}

export interface DeadLetter<M> {
  partition: number;
  offset: string;
  reason: string;
  message: M;
}

/**
 * Unreadable input records that are not known to be in the dead-letter topic yet. Every
 * instance sees them all; only a partition's owner writes them, after reading what the topic
 * already holds for that partition.
 */
export class DeadLetterBook<M> {
  readonly #pending = new Map<number, Map<string, DeadLetter<M>>>();

  add(letter: DeadLetter<M>): void {
    let partition = this.#pending.get(letter.partition);
    if (!partition) this.#pending.set(letter.partition, partition = new Map());
    partition.set(letter.offset, letter);
  }

  /** The partition's letters still to write, given the sources the topic already holds. */
  due(partition: number, alreadyWritten: ReadonlySet<string>): DeadLetter<M>[] {
    const pending = this.#pending.get(partition);
    if (!pending) return [];
    for (const offset of [...pending.keys()]) {
      if (alreadyWritten.has(sourceOf(partition, offset))) pending.delete(offset);
    }
    return [...pending.values()].sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)));
  }

  written(letters: readonly DeadLetter<M>[]): void {
    for (const { partition, offset } of letters) this.#pending.get(partition)?.delete(offset);
  }
}

/**
 * The last offset applied per partition. A consumer that restarts without committed offsets
 * delivers its input again from the start; applying an older row again would briefly undo a
 * newer one, and the undo would be written.
 */
export class AppliedOffsets {
  readonly #last = new Map<number, bigint>();

  /** True, and remembered, when `offset` lies beyond what the partition has applied. */
  take(partition: number, offset: string): boolean {
    const value = BigInt(offset);
    const last = this.#last.get(partition);
    if (last !== undefined && value <= last) return false;
    this.#last.set(partition, value);
    return true;
  }
}
