/**
 * The sources of the pipeline: simulated trains, turnstiles and weather.
 *
 *   deno task simulate --help
 *   deno task simulate --steps 3 --step-seconds 0 --seed 7 --report /tmp/report.json
 */
import { loadConfig } from "../lib/config.ts";
import { ensureStationsConnector } from "../lib/connector.ts";
import { createKafka } from "../lib/kafka.ts";
import { stageLogger } from "../lib/log.ts";
import { serveHealth } from "../lib/health.ts";
import { StageMetrics } from "../lib/metrics.ts";
import { loadSimData } from "./sim/data.ts";
import { SimulationKafkaSink } from "./sim/kafka_sink.ts";
import { entryCount, Simulation } from "./sim/model.ts";
import { parseOptions, type SimulateOptions, USAGE, UsageError } from "./sim/options.ts";
import { ReportBuilder } from "./sim/report.ts";
import { runSteps } from "./sim/run.ts";
import { weatherPoster } from "./sim/weather_post.ts";

function optionsOrExit(): SimulateOptions {
  try {
    return parseOptions(Deno.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`simulate: ${error.message}\n\n${USAGE}`);
    Deno.exit(2);
  }
}

async function main(): Promise<number> {
  const options = optionsOrExit();
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const log = stageLogger("simulate");
  const config = loadConfig();
  log.info(
    `seed ${options.seed}, start ${new Date(options.start).toISOString()}, ` +
      `${options.stepMinutes} min per step, ${options.stepSeconds} s per step, ` +
      `${options.steps ?? "unlimited"} steps`,
  );
  for (const { trainId, step, steps } of options.breakDowns) {
    log.info(`staged: ${trainId} breaks down at step ${step} for ${steps} steps`);
  }
  for (const { trainId, step } of options.silences) {
    log.info(`staged: ${trainId} stops reporting at step ${step}`);
  }
  if (options.connector) await ensureStationsConnector(config);

  const stop = new AbortController();
  const onSignal = () => {
    log.info("stopping after the current step");
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);

  const sim = new Simulation(loadSimData(), { ...options, weather: options.weather });
  const report = new ReportBuilder();
  const kafka = createKafka("cta-simulation", config.kafka);
  let code = 0;
  // Alive until it fails; ready once a step's events are acknowledged.
  const metrics = new StageMetrics("simulate");
  let stepsSent = 0;
  const health = await serveHealth({
    live: () => code === 0,
    ready: () => stepsSent > 0,
    detail: () => ({ steps: stepsSent }),
    metrics: () => {
      metrics.ready.set(stepsSent > 0 ? 1 : 0);
      return metrics.scrape();
    },
  }, config.health);
  log.info(`health on ${health.url} (/healthz, /readyz, /metrics)`);
  try {
    const sink = await SimulationKafkaSink.open(
      kafka,
      config,
      options.partitions ?? config.partitions,
      options.weather,
    );
    try {
      const result = await runSteps(
        sim,
        {
          events: async (step) => {
            await sink.send(step);
            stepsSent++;
            metrics.recordsOut.inc({ topic: config.topics.arrivals }, step.arrivals.length);
            metrics.recordsOut.inc({ topic: config.topics.turnstiles }, entryCount(step));
          },
          weather: options.weather
            ? weatherPoster(config.restProxyUrl, config.topics.weather)
            : undefined,
        },
        report,
        { steps: options.steps, stepSeconds: options.stepSeconds, signal: stop.signal },
      );
      const rate = result.busyMs > 0 ? Math.round(result.events / (result.busyMs / 1000)) : 0;
      log.info(`${result.steps} steps, ${result.events} events, ${rate} events/s`);
    } finally {
      await sink.close();
    }
  } catch (error) {
    log.error(`failed: ${(error as Error).message}`);
    code = 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await health.shutdown();
    if (options.report) {
      const summary = report.build({
        seed: options.seed,
        start: new Date(options.start).toISOString(),
        stepMinutes: options.stepMinutes,
        trains: sim.trainCount,
        topics: {
          arrivals: config.topics.arrivals,
          turnstiles: config.topics.turnstiles,
          weather: options.weather ? config.topics.weather : null,
        },
      });
      await Deno.writeTextFile(options.report, JSON.stringify(summary, null, 2) + "\n");
    }
  }
  return code;
}

if (import.meta.main) Deno.exit(await main());
