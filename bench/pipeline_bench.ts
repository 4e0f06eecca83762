/**
 * The pipeline's throughput figures together: the simulation's burst into Kafka, then the
 * exactly-once summary against Kafka Streams on a backlog of a million events:
 *
 *   deno task bench:pipeline
 *
 * Options (env): BENCH_EVENTS (1000000, both benchmarks), BENCH_PEER (1; 0 skips Kafka Streams).
 */
import { loadConfig } from "../lib/config.ts";
import { runSimulateBench } from "./simulate_bench.ts";
import { benchSummary, reportLines } from "./summary_bench.ts";
import { count, loadAverage, rate } from "./figures.ts";

const events = Number(Deno.env.get("BENCH_EVENTS") ?? 1_000_000);
const withPeer = (Deno.env.get("BENCH_PEER") ?? "1") !== "0";
const progress = (line: string) => console.error(`· ${line}`);

const simulation = await runSimulateBench(loadConfig(), events);
const simulationLine = `simulate burst ${count(simulation.events)} events in ${
  simulation.seconds.toFixed(1)
} s = ${rate(simulation.events, simulation.seconds)} (${loadAverage()}; largest step ${
  count(simulation.largestStep.events)
} events at ${count(simulation.largestStep.eventsPerSecond)} events/s)`;
progress(simulationLine);

const summary = await benchSummary(events, withPeer, progress);

console.log(simulationLine);
for (const line of reportLines(summary)) console.log(line);
