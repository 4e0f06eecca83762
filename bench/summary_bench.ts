/**
 * The exactly-once turnstile summary against Kafka Streams `groupBy().count()` with
 * processing.guarantee=exactly_once_v2, both counting the same backlog on the same broker:
 *
 *   deno task bench:summary
 *
 * Each side is timed from spawn (start-up included) until its committed output, read with
 * read_committed, adds up to every event; then every station's count is checked. Both count two
 * backlogs: one written by kafkajs (murmur2 of the station key) and one by Python confluent-kafka
 * (librdkafka's CRC32 partitioner), so both sides repartition by station.
 * Options (env): BENCH_EVENTS (1000000), BENCH_PEER (1; 0 runs the summary alone),
 * BENCH_FILLS (kafkajs,librdkafka).
 */
import { Buffer } from "node:buffer";
import type { Kafka, KafkaMessage } from "kafkajs";
import { groupId, loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { createRegistry } from "../lib/registry.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { parseSummaryValue } from "../lib/contracts/turnstile_summary.ts";
import { entriesPerStation, produceTurnstiles } from "../tests/turnstile_fixture.ts";
import { type Child, watch } from "./child.ts";
import { CommittedCounts, type CountDecoder, countMismatches } from "./committed_counts.ts";
import { count, loadAverage, rate, seconds } from "./figures.ts";
import { buildPeer, spawnPeer } from "./peer.ts";
import { produceWithLibrdkafka } from "../tests/foreign/mod.ts";
import { denoArgs, STAGES } from "../lib/stages.ts";

/** Who writes the backlog, and so which partitioner placed it. */
export type Fill = "kafkajs" | "librdkafka";

const ROOT = new URL("../", import.meta.url).pathname;
const TIMEOUT_MS = 600_000;

export interface StageFigure {
  name: string;
  ms: number;
  firstCountMs: number | undefined;
  load: string;
}

export interface SummaryBenchResult {
  events: number;
  fill: Fill;
  summary: StageFigure;
  peer?: StageFigure;
}

const summaryCount: CountDecoder = (message: KafkaMessage) => {
  const summary = parseSummaryValue(message.value?.toString() ?? null);
  return summary ? { key: summary.STATION_ID, count: summary.COUNT } : null;
};

/** Serdes.Integer() key, Serdes.Long() value. */
const streamsCount: CountDecoder = (message: KafkaMessage) => {
  const key = message.key as Buffer | null;
  const value = message.value as Buffer | null;
  if (key?.length !== 4 || value?.length !== 8) return null;
  return { key: key.readInt32BE(0), count: Number(value.readBigInt64BE(0)) };
};

/** Times one counting process from spawn until its committed counts match `expected`. */
async function timeCounting(
  kafka: Kafka,
  name: string,
  outputTopic: string,
  decode: CountDecoder,
  expected: Map<number, number>,
  start: () => Child,
): Promise<StageFigure> {
  let total = 0;
  for (const n of expected.values()) total += n;
  const follower = await CommittedCounts.follow(kafka, outputTopic, decode);
  follower.expect(total);
  const started = performance.now();
  const child = start();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const outcome = await Promise.race([
      follower.reached.then((at) => ({ at })),
      child.exited.then((code) => ({ exited: code })),
      new Promise<{ timedOut: true }>((resolve) =>
        timer = setTimeout(() => resolve({ timedOut: true }), TIMEOUT_MS)
      ),
    ]);
    const load = loadAverage();
    if (!("at" in outcome)) {
      throw new Error(
        `${name} ${
          "exited" in outcome ? `exited with ${outcome.exited}` : "timed out"
        } at a total of ${count(follower.total)}/${count(total)}:\n${child.output()}`,
      );
    }
    const mismatches = countMismatches(follower.counts, expected);
    if (mismatches.length > 0) {
      throw new Error(`${name} counted wrong: ${mismatches.slice(0, 10).join(", ")}`);
    }
    if (Deno.env.get("BENCH_VERBOSE") === "1") console.error(child.output());
    return {
      name,
      ms: outcome.at - started,
      firstCountMs: follower.firstAt === undefined ? undefined : follower.firstAt - started,
      load,
    };
  } finally {
    clearTimeout(timer);
    await child.stop();
    await follower.stop();
  }
}

async function deleteBenchTopics(kafka: Kafka, namespace: string, groups: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(namespace));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.deleteGroups(groups).catch(() => {});
  } finally {
    await admin.disconnect();
  }
}

function figureLine(f: StageFigure, events: number): string {
  const first = f.firstCountMs === undefined
    ? ""
    : `, first count after ${seconds(f.firstCountMs)}`;
  return `${f.name} ${count(events)} events in ${seconds(f.ms)} = ${
    rate(events, f.ms / 1000)
  } (${f.load}${first})`;
}

export function reportLines(result: SummaryBenchResult): string[] {
  const lines = [`backlog written by ${result.fill}:`, figureLine(result.summary, result.events)];
  if (result.peer) {
    lines.push(figureLine(result.peer, result.events));
    lines.push(
      `summary is ${(result.peer.ms / result.summary.ms).toFixed(2)}x the speed of kafka-streams`,
    );
  }
  return lines;
}

export async function benchSummary(
  events: number,
  withPeer: boolean,
  log: (line: string) => void = console.log,
  fill: Fill = "kafkajs",
): Promise<SummaryBenchResult> {
  const namespace = `bench-${crypto.randomUUID().slice(0, 8)}.`;
  const config = loadConfig((name) => name === "TOPIC_NAMESPACE" ? namespace : Deno.env.get(name));
  const kafka = createKafka("summary-bench", config.kafka);
  const peer = withPeer ? await buildPeer(log) : undefined;
  const peerOutput = `${config.topics.turnstileSummary}.kafka-streams`;
  const peerApplication = `${namespace}kafka-streams-count`;
  const summaryGroup = groupId(config, "turnstile-summary");
  const stateDir = await Deno.makeTempDir({ prefix: "cta-bench-streams-" });
  try {
    const expected = entriesPerStation(events);
    const filling = performance.now();
    await ensureTopics(kafka, config, [topicSpec(config, "turnstiles")]);
    const sent = fill === "kafkajs"
      ? await produceTurnstiles(kafka, createRegistry(config.registry), config, expected)
      : (await produceWithLibrdkafka(config, expected, "station")).count;
    log(
      `fill: ${count(sent)} turnstile events by ${fill} into ${config.topics.turnstiles} in ${
        seconds(performance.now() - filling)
      } (not timed; ${loadAverage()})`,
    );
    await ensureTopics(kafka, config, [
      topicSpec(config, "turnstileSummary"),
      { topic: peerOutput, partitions: config.partitions, compacted: true },
    ]);

    const summary = await timeCounting(
      kafka,
      "summary",
      config.topics.turnstileSummary,
      summaryCount,
      expected,
      () =>
        watch(
          new Deno.Command(Deno.execPath(), {
            args: denoArgs(STAGES.summary),
            cwd: ROOT,
            env: { TOPIC_NAMESPACE: namespace, KAFKAJS_NO_PARTITIONER_WARNING: "1" },
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
          }).spawn(),
        ),
    );
    log(figureLine(summary, events));

    let streams: StageFigure | undefined;
    if (peer) {
      streams = await timeCounting(
        kafka,
        "kafka-streams",
        peerOutput,
        streamsCount,
        expected,
        () =>
          watch(spawnPeer(peer, {
            bootstrap: config.kafka.brokers.join(","),
            input: config.topics.turnstiles,
            output: peerOutput,
            applicationId: peerApplication,
            stateDir,
          })),
      );
      log(figureLine(streams, events));
    }
    return { events, fill, summary, peer: streams };
  } finally {
    await deleteBenchTopics(kafka, namespace, [summaryGroup, peerApplication]);
    await Deno.remove(stateDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const events = Number(Deno.env.get("BENCH_EVENTS") ?? 1_000_000);
  const withPeer = (Deno.env.get("BENCH_PEER") ?? "1") !== "0";
  const fills = (Deno.env.get("BENCH_FILLS") ?? "kafkajs,librdkafka").split(",") as Fill[];
  for (const fill of fills) {
    const result = await benchSummary(events, withPeer, (line) => console.error(`· ${line}`), fill);
    for (const line of reportLines(result)) console.log(line);
  }
}
