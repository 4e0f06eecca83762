/**
 * Burst throughput of the simulation: produce about a million turnstile events as fast as
 * possible (hour-long steps, no pause) to the broker, through the same sink as `simulate`.
 *
 *   deno task bench:simulate [target-events] [messages-per-request] [--kafkajs-originals]
 *
 * --kafkajs-originals measures kafkajs's own encoding, without lib/kafkajs_speedups/. Its peer,
 * in the same run, is Kafka's own kafka-producer-perf-test with the simulation's record size and
 * records per batch (bench/producer_perf.ts). Both report the whole run and a steady state after
 * the same number of warm-up records (default 500,000), as the peer's --warmup-records does.
 */
import process from "node:process";
import { type Config, loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { kafkajsSpeedupStatus, setKafkajsSpeedups } from "../lib/kafkajs_speedups/install.ts";
import { topicsIn } from "../lib/contracts/topics.ts";
import { loadSimData } from "../pipeline/sim/data.ts";
import { MESSAGES_PER_SEND, SimulationKafkaSink } from "../pipeline/sim/kafka_sink.ts";
import { entryCount, Simulation } from "../pipeline/sim/model.ts";
import { ReportBuilder } from "../pipeline/sim/report.ts";
import { runSteps } from "../pipeline/sim/run.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { runProducerPerf } from "./producer_perf.ts";

export interface SimulateBenchResult {
  events: number;
  steps: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds of this process while producing: the share of the time that is its own. */
  cpuSeconds: number;
  /** The largest step, in events, and its rate. */
  largestStep: { events: number; eventsPerSecond: number };
  /** Average key plus value bytes of the records sent. */
  recordBytes: number;
  /** The events of the steps that began after `warmupEvents` were sent, and their rate. */
  steadyState: { warmupEvents: number; events: number; eventsPerSecond: number };
}

/**
 * Runs hour-long steps from a weekday midnight until `targetEvents` are acknowledged, in a
 * fresh topic namespace that is deleted afterwards.
 */
export async function runSimulateBench(
  baseConfig: Config = loadConfig(),
  targetEvents = 1_000_000,
  messagesPerSend = MESSAGES_PER_SEND,
  kafkajsSpeedups = true,
  warmupEvents = 0,
): Promise<SimulateBenchResult> {
  const namespace = `bench-${crypto.randomUUID().slice(0, 8)}.`;
  const config: Config = { ...baseConfig, topics: topicsIn(namespace) };
  const kafka = createKafka("simulate-bench", config.kafka);
  setKafkajsSpeedups(kafkajsSpeedups);
  const sim = new Simulation(loadSimData(), {
    start: Date.parse("2026-11-25T00:00:00Z"),
    stepMinutes: 60,
    trainsPerLine: 10,
    seed: 1,
    weather: false,
  });
  const sink = await SimulationKafkaSink.open(
    kafka,
    config,
    config.partitions,
    false,
    messagesPerSend,
  );
  let events = 0;
  let steps = 0;
  let busyMs = 0;
  let largestStep = { events: 0, eventsPerSecond: 0 };
  let recordBytes = 0;
  const steady = { warmupEvents: 0, events: 0, ms: 0 };
  const cpuBefore = process.cpuUsage();
  try {
    const controller = new AbortController();
    await runSteps(sim, { events: (step) => sink.send(step) }, new ReportBuilder(), {
      steps: undefined,
      stepSeconds: 0,
      signal: controller.signal,
      log: () => {},
      onStep: (step, ms) => {
        const stepEvents = entryCount(step) + step.arrivals.length;
        if (events >= warmupEvents) {
          steady.events += stepEvents;
          steady.ms += ms;
        } else steady.warmupEvents += stepEvents;
        events += stepEvents;
        busyMs += ms;
        steps++;
        if (stepEvents > largestStep.events) {
          largestStep = {
            events: stepEvents,
            eventsPerSecond: Math.round(stepEvents / (ms / 1000)),
          };
        }
        if (events >= targetEvents) controller.abort();
      },
    });
  } finally {
    recordBytes = sink.sent.bytes / Math.max(1, sink.sent.records);
    await sink.close();
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(namespace));
    await admin.deleteTopics({ topics }).catch(() => {});
    await admin.disconnect();
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const seconds = busyMs / 1000;
  return {
    events,
    steps,
    seconds,
    eventsPerSecond: Math.round(events / seconds),
    cpuSeconds,
    largestStep,
    recordBytes,
    steadyState: {
      warmupEvents: steady.warmupEvents,
      events: steady.events,
      eventsPerSecond: Math.round(steady.events / (steady.ms / 1000)),
    },
  };
}

/** Kafka's own producer benchmark with the run's records, their size and batching. */
async function runPeer(config: Config, result: SimulateBenchResult, perSend: number) {
  const namespace = `bench-peer-${crypto.randomUUID().slice(0, 8)}.`;
  const peerConfig: Config = { ...config, topics: topicsIn(namespace) };
  const kafka = createKafka("simulate-bench-peer", config.kafka);
  await ensureTopics(kafka, peerConfig, [topicSpec(peerConfig, "turnstiles")]);
  try {
    return await runProducerPerf({
      bootstrap: config.kafka.brokers.join(","),
      topic: peerConfig.topics.turnstiles,
      records: result.events,
      warmupRecords: result.steadyState.warmupEvents,
      recordSize: Math.round(result.recordBytes),
      recordsPerBatch: perSend,
    });
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [peerConfig.topics.turnstiles] }).catch(() => {});
    await admin.disconnect();
  }
}

if (import.meta.main) {
  const originals = Deno.args.includes("--kafkajs-originals");
  const [targetArg, perSendArg, warmupArg] = Deno.args.filter((arg) => !arg.startsWith("--"));
  const target = Number(targetArg ?? 1_500_000);
  const perSend = Number(perSendArg ?? MESSAGES_PER_SEND);
  const warmup = Number(warmupArg ?? 500_000);
  const config = loadConfig();
  const result = await runSimulateBench(config, target, perSend, !originals, warmup);
  const { encoder, records, grouping, batches } = kafkajsSpeedupStatus();
  console.log(
    `kafkajs speedups: encoder ${encoder}, records ${records}, grouping ${grouping}; ` +
      `record batches ${batches.fast} fast, ${batches.kafkajs} by kafkajs`,
  );
  const steady = result.steadyState;
  console.log(
    `simulate burst: ${result.events} events in ${result.steps} steps, ` +
      `${perSend} messages per request, records of ${result.recordBytes.toFixed(1)} bytes ` +
      `on average, ${result.seconds.toFixed(1)} s producing, ${result.eventsPerSecond} events/s; ` +
      `after the first ${steady.warmupEvents}: ${steady.events} events at ` +
      `${steady.eventsPerSecond} events/s (largest step ${result.largestStep.events} events at ` +
      `${result.largestStep.eventsPerSecond} events/s); ${result.cpuSeconds.toFixed(1)} CPU s, ` +
      `${Math.round(result.events / result.cpuSeconds)} events per CPU second`,
  );
  const peer = await runPeer(config, result, perSend);
  console.log(
    `peer kafka-producer-perf-test (${peer.settings.join(" ")}): ${peer.whole.records} records ` +
      `at ${Math.round(peer.whole.recordsPerSecond)}/s; after the first ` +
      `${steady.warmupEvents}: ${peer.steady?.records ?? 0} at ` +
      `${Math.round(peer.steady?.recordsPerSecond ?? 0)}/s`,
  );
  const ratio = (ours: number, theirs: number | undefined) =>
    theirs ? `${(ours / theirs).toFixed(2)}x` : "n/a";
  console.log(
    `simulate / peer: whole run ${ratio(result.eventsPerSecond, peer.whole.recordsPerSecond)}, ` +
      `steady state ${ratio(steady.eventsPerSecond, peer.steady?.recordsPerSecond)}`,
  );
}
