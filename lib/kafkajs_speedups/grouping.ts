/** A producer request's messages grouped by partition, in linear time. */

export interface GroupingArgs {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (
    args: { topic: string; partitionMetadata: unknown[]; message: unknown },
  ) => number | string;
}

/**
 * kafkajs 2.2.4's groupMessagesPerPartition, which copies a partition's list for every message:
 * the same partitioner calls and the same result.
 */
export function groupMessagesLinear(
  { topic, partitionMetadata, messages, partitioner }: GroupingArgs,
): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}
