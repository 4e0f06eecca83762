/**
 * How long a summary task takes to restore its state when the output has run for a long time:
 *
 *   deno task bench:restore
 *
 * Writes BENCH_UPDATES (10,000,000) count updates for 150 stations into a one-partition
 * TURNSTILE_SUMMARY, and BENCH_CHECKPOINTS (100,000) checkpoints into the counts hop's checkpoint
 * partition, with the topic settings the stage uses. Then times what a task does to restore (its
 * last checkpoint, the engine's `lastCheckpoint`) against replaying the output partition to its
 * end (what a stage that restores from its output has to do).
 */
import { Buffer } from "node:buffer";
import { loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { EAGER_COMPACTION, ensureTopics } from "../lib/admin.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { kafkajsPorts } from "../lib/exactly_once/kafkajs_ports.ts";
import { checkpointKey, encodeCheckpoint } from "../lib/exactly_once/engine.ts";
import { summaryKey, summaryValue } from "../lib/contracts/turnstile_summary.ts";
import { count, loadAverage, rate, seconds } from "./figures.ts";

const updates = Number(Deno.env.get("BENCH_UPDATES") ?? 10_000_000);
const checkpoints = Number(Deno.env.get("BENCH_CHECKPOINTS") ?? 100_000);
const STATIONS = 150;
const PER_SEND = 20_000;

const namespace = `bench-${crypto.randomUUID().slice(0, 8)}.`;
const config = loadConfig((name) => name === "TOPIC_NAMESPACE" ? namespace : Deno.env.get(name));
const kafka = createKafka("restore-bench", config.kafka);
const summary = config.topics.turnstileSummary;
const countsCheckpoints = `${namespace}turnstile-summary-counts-checkpoints`;

async function fill(
  topic: string,
  total: number,
  message: (i: number) => { key: string; value: string },
  perSend = PER_SEND,
) {
  const producer = kafka.producer({ maxInFlightRequests: 4 });
  await producer.connect();
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let sent = 0; sent < total; sent += perSend) {
    const messages = Array.from(
      { length: Math.min(perSend, total - sent) },
      (_, j) => ({ ...message(sent + j), partition: 0 }),
    );
    const send = producer.send({ topic, acks: -1, messages }).finally(() => inFlight.delete(send));
    inFlight.add(send);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await producer.disconnect();
  console.error(
    `· fill: ${count(total)} records into ${topic} in ${
      seconds(performance.now() - started)
    } (not timed; ${loadAverage()})`,
  );
}

const admin = kafka.admin();
await admin.connect();
try {
  await ensureTopics(kafka, config, [
    { topic: summary, partitions: 1, compacted: true, configs: EAGER_COMPACTION },
    { topic: countsCheckpoints, partitions: 1, compacted: true, configs: EAGER_COMPACTION },
  ]);
  await fill(summary, updates, (i) => {
    const station = 40000 + (i % STATIONS) * 10;
    return { key: summaryKey(station), value: summaryValue(station, Math.floor(i / STATIONS) + 1) };
  });
  const state = Object.fromEntries(
    Array.from({ length: STATIONS }, (_, s) => [40000 + s * 10, 1_000_000 + s]),
  );
  await fill(countsCheckpoints, checkpoints, (i) => ({
    key: checkpointKey(`${namespace}turnstile-summary-partial-counts`, 0),
    value: encodeCheckpoint({ next: BigInt(i + 1), state }),
  }), 200);

  const ports = kafkajsPorts(kafka, admin);
  let started = performance.now();
  const last = await ports.lastCheckpoint(countsCheckpoints, 0);
  const checkpointMs = performance.now() - started;
  const restored = JSON.parse(Buffer.from(last!).toString()).next;
  if (restored !== String(checkpoints)) throw new Error(`restored checkpoint ${restored}`);
  console.log(
    `restore from the checkpoint partition (${count(checkpoints)} checkpoints, not yet ` +
      `compacted): ${seconds(checkpointMs)} (${loadAverage()})`,
  );

  started = performance.now();
  let replayed = 0;
  await readToEnd(kafka, summary, () => replayed++, {
    partitions: [0],
    readCommitted: true,
    timeoutMs: 600_000,
  });
  const replayMs = performance.now() - started;
  console.log(
    `replay of the output partition instead (${count(replayed)} updates): ${seconds(replayMs)} = ${
      rate(replayed, replayMs / 1000)
    } (${loadAverage()})`,
  );
  console.log(
    `compaction of both topics: ${
      Object.entries(EAGER_COMPACTION).map(([k, v]) => `${k}=${v}`).join(", ")
    }`,
  );
} finally {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(namespace));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
}
