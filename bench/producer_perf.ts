/**
 * Kafka's own producer benchmark (kafka-producer-perf-test, `ProducerPerformance` in the broker's
 * kafka-tools jar) as the simulation's peer: the same broker, topic layout, number of records,
 * record size and records per batch, acks=all and an idempotent producer, as the simulation's
 * sink uses.
 */
import { componentPaths } from "../stack/fetch.ts";
import { findJava } from "../stack/java.ts";
import { loadStackSettings } from "../stack/settings.ts";

const MAIN_CLASS = "org.apache.kafka.tools.ProducerPerformance";

export interface ProducerPerfOptions {
  bootstrap: string;
  topic: string;
  records: number;
  /** Records left out of its steady-state figures, as its --warmup-records. */
  warmupRecords: number;
  /** Bytes per record: the simulation's average key plus value. */
  recordSize: number;
  /** Records per batch: the simulation's records per produce request. */
  recordsPerBatch: number;
}

export interface ProducerPerfFigures {
  records: number;
  recordsPerSecond: number;
  avgLatencyMs: number;
}

export interface ProducerPerfResult {
  whole: ProducerPerfFigures;
  /** After the warm-up records; absent without any. */
  steady?: ProducerPerfFigures;
  /** The producer settings it ran with, as passed. */
  settings: string[];
}

/**
 * The settings that make the peer batch as the simulation does; the rest are the Java producer's
 * defaults (five requests in flight, where the simulation's kafkajs producer has one).
 */
export function producerPerfSettings(options: ProducerPerfOptions): string[] {
  return [
    "acks=all",
    "enable.idempotence=true",
    "compression.type=none",
    `batch.size=${options.recordSize * options.recordsPerBatch}`,
    // Long enough for a batch to fill at full speed; a full batch is sent at once.
    "linger.ms=20",
  ];
}

const FIGURES =
  /^(\d+) (steady state )?records sent, ([\d.]+) records\/sec \([\d.]+ MB\/sec\), ([\d.]+) ms avg latency/gm;

/**
 * Its closing lines: "1500000 records sent, 853242.3 records/sec (30.11 MB/sec), 9.62 ms avg
 * latency, ..." and, with warm-up records, "1000000 steady state records sent, ...". It prints
 * lines of the first form while it runs too: the last one is the whole run's.
 */
export function parseProducerPerf(output: string): Omit<ProducerPerfResult, "settings"> {
  const figures = (m: RegExpMatchArray): ProducerPerfFigures => ({
    records: Number(m[1]),
    recordsPerSecond: Number(m[3]),
    avgLatencyMs: Number(m[4]),
  });
  const lines = [...output.matchAll(FIGURES)];
  const whole = lines.filter((m) => m[2] === undefined).at(-1);
  if (!whole) throw new Error(`no summary line in the producer benchmark's output:\n${output}`);
  const steady = lines.find((m) => m[2] !== undefined);
  return { whole: figures(whole), ...(steady ? { steady: figures(steady) } : {}) };
}

export async function runProducerPerf(options: ProducerPerfOptions): Promise<ProducerPerfResult> {
  const { java } = await findJava(17);
  const repoDir = new URL("../", import.meta.url).pathname;
  const libs = componentPaths(loadStackSettings(repoDir).cacheDir).kafkaLibs;
  const settings = producerPerfSettings(options);
  const { success, stdout, stderr } = await new Deno.Command(java, {
    args: [
      "-cp",
      `${libs}/*`,
      MAIN_CLASS,
      "--bootstrap-server",
      options.bootstrap,
      "--topic",
      options.topic,
      "--num-records",
      String(options.records),
      ...(options.warmupRecords > 0 ? ["--warmup-records", String(options.warmupRecords)] : []),
      "--record-size",
      String(options.recordSize),
      "--throughput",
      "-1",
      "--command-property",
      ...settings,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  if (!success) throw new Error(`the producer benchmark failed:\n${output.slice(-3000)}`);
  return { ...parseProducerPerf(output), settings };
}
