/**
 * Whether it is safe to start counting: the stage's position lives in its checkpoint topics, so
 * output without checkpoints (another group wrote it, or the checkpoints were deleted) would be
 * counted a second time on top of what it already holds.
 */

/** Bytes ever written, as end offsets summed over partitions. */
export interface WrittenSoFar {
  summary: bigint;
  countsCheckpoints: bigint;
  partialCounts: bigint;
  entriesCheckpoints: bigint;
}

export interface RestartNames {
  group: string;
  summary: string;
  countsCheckpoints: string;
  partialCounts: string;
  entriesCheckpoints: string;
}

/** One line saying why the stage must not start, or null when it may. */
export function restartProblem(written: WrittenSoFar, names: RestartNames): string | null {
  if (written.summary > 0n && written.countsCheckpoints === 0n) {
    return `${names.summary} already holds counts, but group ${names.group} has no record of ` +
      `them (${names.countsCheckpoints} is empty); counting the input again would add to them. ` +
      `Run with the --group that wrote them, or delete ${names.summary} to count from the start.`;
  }
  if (written.partialCounts > 0n && written.entriesCheckpoints === 0n) {
    return `${names.partialCounts} holds partial counts, but ${names.entriesCheckpoints} is ` +
      `empty; counting the input again would add to them. Delete ${names.partialCounts}, ` +
      `${names.countsCheckpoints} and ${names.summary} to count from the start.`;
  }
  return null;
}
