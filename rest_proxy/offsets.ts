/** Pure bookkeeping between a produce request's records and Kafka's per-partition answers. */
import { ERROR_CODES } from "./errors.ts";

/** One entry of the response's `offsets`, in Confluent's v2 shape. */
export interface PartitionOffset {
  partition: number | null;
  offset: number | null;
  error_code: number | null;
  error: string | null;
}

/**
 * The offset of every record, in request order. Kafka answers one base offset per partition
 * for a batch; the records of a partition were appended in request order from that base.
 */
export function recordOffsets(
  partitions: readonly number[],
  baseOffsets: ReadonlyMap<number, number>,
): PartitionOffset[] {
  const next = new Map(baseOffsets);
  return partitions.map((partition) => {
    const offset = next.get(partition);
    if (offset === undefined) {
      return {
        partition,
        offset: null,
        error_code: ERROR_CODES.kafkaError,
        error: "Kafka did not acknowledge this partition",
      };
    }
    next.set(partition, offset + 1);
    return { partition, offset, error_code: null, error: null };
  });
}

/** The same error for every record of a failed batch, as Confluent reports producer errors. */
export function failedOffsets(
  count: number,
  retriable: boolean,
  message: string,
): PartitionOffset[] {
  const error_code = retriable ? ERROR_CODES.kafkaRetriable : ERROR_CODES.kafkaError;
  return Array.from({ length: count }, () => ({
    partition: null,
    offset: null,
    error_code,
    error: message,
  }));
}

/**
 * Splits records into consecutive batches of at most `maxBytes` payload and `maxRecords`
 * records, so that no produce request exceeds the broker's message size.
 */
export function batchBounds(
  sizes: readonly number[],
  maxBytes: number,
  maxRecords: number,
): Array<[start: number, end: number]> {
  const bounds: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    if (i > start && (bytes + sizes[i] > maxBytes || i - start >= maxRecords)) {
      bounds.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += sizes[i];
  }
  if (start < sizes.length) bounds.push([start, sizes.length]);
  return bounds;
}
