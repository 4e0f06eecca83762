/**
 * Foreign clients for interoperability tests and benchmarks: programs this project did not write,
 * run as the seed's users ran them.
 */
import type { Config } from "../../lib/config.ts";

const PRODUCER = new URL("./turnstile_producer.py", import.meta.url).pathname;
const COMMITTED_READER = new URL("./committed_reader.py", import.meta.url).pathname;

export interface ForeignProduced {
  count: number;
  partitions: Record<string, number>;
}

/**
 * Turnstile events from Python confluent-kafka (librdkafka's default partitioner, Avro through its
 * own serializer and registry client). Resolves with what its delivery reports acknowledged.
 */
export async function produceWithLibrdkafka(
  config: Config,
  counts: Map<number, number>,
  keys: "station" | "null" | "timestamp",
  seconds = 0,
): Promise<ForeignProduced> {
  const output = await new Deno.Command("python3", {
    args: [
      PRODUCER,
      `--bootstrap=${config.kafka.brokers.join(",")}`,
      `--registry=${config.registry.url}`,
      `--topic=${config.topics.turnstiles}`,
      `--counts=${JSON.stringify(Object.fromEntries(counts))}`,
      `--keys=${keys}`,
      `--seconds=${seconds}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return lastJsonLine(output, "the librdkafka producer");
}

/** The values a read_committed librdkafka consumer delivers from one partition, in order. */
export async function readCommittedWithLibrdkafka(
  config: Config,
  topic: string,
  partition = 0,
): Promise<string[]> {
  const output = await new Deno.Command("python3", {
    args: [
      COMMITTED_READER,
      `--bootstrap=${config.kafka.brokers.join(",")}`,
      `--topic=${topic}`,
      `--partition=${partition}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return lastJsonLine<{ values: string[] }>(output, "the librdkafka consumer").values;
}

/** The last line a foreign program printed, as JSON; its output in the error if it failed. */
export function lastJsonLine<T>(output: Deno.CommandOutput, what: string): T {
  const text = new TextDecoder().decode(output.stdout);
  if (output.code !== 0) {
    throw new Error(
      `${what} exited with ${output.code}: ${text}${new TextDecoder().decode(output.stderr)}`,
    );
  }
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

const SCHEMA_COMPATIBILITY = new URL("./schema_compatibility.py", import.meta.url).pathname;

export interface ForeignCompatibility {
  /** The subject's compatibility level, as confluent-kafka reads it. */
  level: string;
  candidates: { compatible: boolean; registered: number | null; status: number | null }[];
}

/**
 * Python confluent-kafka's SchemaRegistryClient on a subject: its level, `test_compatibility` of
 * each candidate against the latest version and, with `register`, what `register_schema` answers.
 */
export async function compatibilityWithConfluentClient(
  config: Config,
  subjectName: string,
  schemas: string[],
  register = false,
): Promise<ForeignCompatibility> {
  const output = await new Deno.Command("python3", {
    args: [
      SCHEMA_COMPATIBILITY,
      `--registry=${config.registry.url}`,
      `--subject=${subjectName}`,
      `--schemas=${JSON.stringify(schemas)}`,
      ...(register ? ["--register"] : []),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return lastJsonLine(output, "the confluent-kafka registry client");
}
