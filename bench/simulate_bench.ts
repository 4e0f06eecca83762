/**
 * Burst throughput of the simulation: produce about a million turnstile events as fast as
 * possible (hour-long steps, no pause) to the broker, through the same sink as `simulate`.
 *
 *   deno task bench:simulate [target-events] [messages-per-request] [--kafkajs-originals]
 *
 * --kafkajs-originals measures kafkajs's own encoding, without lib/kafkajs_speedups/.
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

export interface SimulateBenchResult {
  events: number;
  steps: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds of this process while producing: the share of the time that is its own. */
  cpuSeconds: number;
  /** The largest step, in events, and its rate. */
  largestStep: { events: number; eventsPerSecond: number };
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
  };
}

if (import.meta.main) {
  const originals = Deno.args.includes("--kafkajs-originals");
  const [targetArg, perSendArg] = Deno.args.filter((arg) => !arg.startsWith("--"));
  const target = Number(targetArg ?? 1_000_000);
  const perSend = Number(perSendArg ?? MESSAGES_PER_SEND);
  const result = await runSimulateBench(loadConfig(), target, perSend, !originals);
  const { encoder, records, grouping, batches } = kafkajsSpeedupStatus();
  console.log(
    `kafkajs speedups: encoder ${encoder}, records ${records}, grouping ${grouping}; ` +
      `record batches ${batches.fast} fast, ${batches.kafkajs} by kafkajs`,
  );
  console.log(
    `simulate burst: ${result.events} events in ${result.steps} steps, ` +
      `${perSend} messages per request, ${
        result.seconds.toFixed(1)
      } s producing, ${result.eventsPerSecond} events/s ` +
      `(largest step ${result.largestStep.events} events at ` +
      `${result.largestStep.eventsPerSecond} events/s); ${result.cpuSeconds.toFixed(1)} CPU s, ` +
      `${Math.round(result.events / result.cpuSeconds)} events per CPU second`,
  );
}
