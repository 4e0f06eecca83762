/**
 * What integration tests share. Each test isolates itself in a fresh topic namespace:
 *
 *   const config = configFor(freshNamespace());
 *   await ensureTopics(kafka, config, [topicSpec(config, "stations")]);
 *   const records = await consumeAll(kafka, config.topics.stations, { until: (r) => r.length >= 3 });
 */
import type { Kafka } from "kafkajs";
import { type Config, loadConfig } from "../../lib/config.ts";

/** A unique TOPIC_NAMESPACE prefix such as `test-1a2b3c4d.`. */
export function freshNamespace(): string {
  return `test-${crypto.randomUUID().slice(0, 8)}.`;
}

/** The environment's config with its topics under `namespace`. */
export function configFor(namespace: string): Config {
  return loadConfig((name) => name === "TOPIC_NAMESPACE" ? namespace : Deno.env.get(name));
}

/** Resolves once `predicate` holds; rejects after `timeoutMs` naming `what`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ConsumedRecord {
  key: Buffer | null;
  value: Buffer | null;
  partition: number;
  offset: string;
}

/**
 * Reads `topic` from the beginning with a fresh group and read_committed isolation, until
 * `until(records)` holds (rejects after `timeoutMs`).
 */
export async function consumeAll(
  kafka: Kafka,
  topic: string,
  { until, timeoutMs = 20_000 }: {
    until: (records: ConsumedRecord[]) => boolean;
    timeoutMs?: number;
  },
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({
    groupId: `test-${crypto.randomUUID()}`,
    readUncommitted: false,
  });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message, partition }) => {
        records.push({ key: message.key, value: message.value, partition, offset: message.offset });
        return Promise.resolve();
      },
    });
    await waitFor(() => until(records), timeoutMs, `records on ${topic}`);
    return records;
  } finally {
    await consumer.disconnect();
  }
}
