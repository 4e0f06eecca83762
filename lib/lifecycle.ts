/**
 * How a long-running stage lives and ends: progress lines, a health endpoint, clean stop on
 * SIGINT and SIGTERM.
 */
import { type HealthServer, serveHealth } from "./health.ts";
import { type Fields, logger } from "./log.ts";
import type { StageMetrics } from "./metrics.ts";

export interface Stoppable {
  readonly stats: object;
  /** Resolves with the error when the stage has failed for good. */
  readonly failed: Promise<Error>;
  /** Partitions held and caught up: what /readyz reports. */
  ready(): boolean;
  stop(): Promise<void>;
  /** Served at /metrics. */
  readonly metrics?: StageMetrics;
}

export interface StageRunOptions {
  /** Where /healthz and /readyz are served (port 0: any free port). */
  health: { host: string; port: number };
  progressMs?: number;
}

/**
 * Runs a stage until SIGINT or SIGTERM (then stops cleanly and exits 0) or until it fails (then
 * logs one line and exits 1). Serves its health endpoint and logs its stats every
 * `progressMs` while they change.
 */
export async function runStageUntilSignal(
  stage: Stoppable,
  name: string,
  options: StageRunOptions,
): Promise<never> {
  const log = logger(name);
  let failedAlready = false;
  stage.failed.then(() => (failedAlready = true));
  const metrics = stage.metrics;
  const health: HealthServer = await serveHealth({
    live: () => !failedAlready,
    ready: () => stage.ready(),
    detail: () => stage.stats,
    metrics: metrics && (() => {
      metrics.ready.set(stage.ready() ? 1 : 0);
      return metrics.scrape();
    }),
  }, options.health);
  log.info(`health on ${health.url} (/healthz, /readyz, /metrics)`);
  const progressMs = options.progressMs ?? 5_000;
  let last = "";
  const progress = setInterval(() => {
    const now = JSON.stringify(stage.stats);
    if (now !== last) log.info("progress", stage.stats as Fields);
    last = now;
  }, progressMs);
  const stopped = new Promise<number>((resolve) => {
    // A terminal's Ctrl+C reaches a whole process group, and a supervisor may add its own
    // SIGTERM: the second signal is expected and ignored; a third one forces the exit.
    let signals = 0;
    const onSignal = async () => {
      signals++;
      if (signals === 3) {
        log.warn("third signal, exiting without a clean stop");
        Deno.exit(130);
      }
      if (signals > 1) return;
      log.info("stopping");
      await stage.stop();
      log.info("stopped", stage.stats as Fields);
      resolve(0);
    };
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
  });
  const failed = stage.failed.then(async (error) => {
    log.error(`failed: ${error.message}`);
    await stage.stop().catch(() => {});
    return 1;
  });
  const code = await Promise.race([stopped, failed]);
  clearInterval(progress);
  await health.shutdown().catch(() => {});
  Deno.exit(code);
}
