/**
 * Dead letters: a stage that cannot read an input record writes it, key and value as they were,
 * to `<topic>.dlq` with the reason, where it came from and which consumer group could not read
 * it in headers, and goes on. Every stage reading a topic meets its bad records, so one bad
 * record may have a dead letter from each group.
 */

export const DEAD_LETTER_HEADERS = {
  reason: "reason",
  sourceTopic: "source.topic",
  sourcePartition: "source.partition",
  sourceOffset: "source.offset",
  /** The consumer group of the stage that could not read the record. */
  consumerGroup: "consumer.group",
  /** Set when the value was cut to fit the dead-letter topic: the original length. */
  valueTruncatedFrom: "value.truncated.from",
  keyTruncatedFrom: "key.truncated.from",
} as const;

/** A reason longer than this is cut: it describes bytes, it does not carry them. */
export const MAX_REASON_CHARS = 1_000;

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
}

export function deadLetterHeaders(
  reason: string,
  source: { topic: string; partition: number; offset: bigint | string },
  consumerGroup: string,
): Record<string, string> {
  return {
    [DEAD_LETTER_HEADERS.reason]: reason.length > MAX_REASON_CHARS
      ? `${reason.slice(0, MAX_REASON_CHARS)}…`
      : reason,
    [DEAD_LETTER_HEADERS.sourceTopic]: source.topic,
    [DEAD_LETTER_HEADERS.sourcePartition]: String(source.partition),
    [DEAD_LETTER_HEADERS.sourceOffset]: String(source.offset),
    [DEAD_LETTER_HEADERS.consumerGroup]: consumerGroup,
  };
}

/** A header as a client delivers it: kafkajs gives a Buffer, a string or a list of them. */
function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return String(Array.isArray(value) ? value[0] : value);
}

/** Where a dead letter came from, from its headers; null when they do not say. */
export function deadLetterSource(
  headers: Readonly<Record<string, unknown>> | undefined,
): DeadLetterSource | null {
  const topic = headerText(headers?.[DEAD_LETTER_HEADERS.sourceTopic]);
  const partition = Number(headerText(headers?.[DEAD_LETTER_HEADERS.sourcePartition]));
  const offset = headerText(headers?.[DEAD_LETTER_HEADERS.sourceOffset]);
  if (topic === undefined || !Number.isInteger(partition) || offset === undefined) return null;
  return { topic, partition, offset };
}

/** The consumer group that wrote a dead letter, from its headers; null when they do not say. */
export function deadLetterGroup(
  headers: Readonly<Record<string, unknown>> | undefined,
): string | null {
  return headerText(headers?.[DEAD_LETTER_HEADERS.consumerGroup]) ?? null;
}
