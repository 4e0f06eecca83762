/** The step loop: model a step, hand its events to the sinks, log, keep the real-time pace. */
import { entryCount, type Simulation, type StepEvents } from "./model.ts";
import type { ReportBuilder } from "./report.ts";
import type { WeatherReading } from "./weather.ts";
import { logger } from "../../lib/log.ts";

export interface StepSinks {
  events(step: StepEvents): Promise<void>;
  weather?(readings: WeatherReading[]): Promise<void>;
}

export interface LoopOptions {
  /** Stop after this many steps; undefined runs until the signal aborts. */
  steps: number | undefined;
  /** Real seconds per step, counted from the step's start; 0 runs as fast as possible. */
  stepSeconds: number;
  /** Aborting stops the loop after the current step. */
  signal?: AbortSignal;
  /** Default: lib/log.ts's "simulate" logger. */
  log?: (line: string) => void;
  /** Called after each acknowledged step with its events and its real duration in ms. */
  onStep?: (step: StepEvents, busyMs: number) => void;
}

export interface LoopResult {
  steps: number;
  events: number;
  /** Real milliseconds spent producing, without the pauses between steps. */
  busyMs: number;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export function formatStepLine(step: StepEvents, ms: number): string {
  const entries = entryCount(step);
  const events = entries + step.arrivals.length + step.weather.length;
  const rate = ms > 0 ? Math.round(events / (ms / 1000)) : events;
  const time = new Date(step.time).toISOString().replace(".000Z", "Z");
  return `${time} step ${step.index}: ${events} events (${step.arrivals.length} arrivals, ` +
    `${entries} entries, ${step.weather.length} weather) in ${ms.toFixed(0)} ms, ${rate} events/s`;
}

export async function runSteps(
  sim: Simulation,
  sinks: StepSinks,
  report: ReportBuilder,
  options: LoopOptions,
): Promise<LoopResult> {
  const simulateLog = logger("simulate");
  const log = options.log ?? ((line: string) => simulateLog.info(line));
  const result: LoopResult = { steps: 0, events: 0, busyMs: 0 };
  while (
    !options.signal?.aborted && (options.steps === undefined || result.steps < options.steps)
  ) {
    const started = performance.now();
    const step = sim.step();
    await Promise.all([
      sinks.events(step),
      step.weather.length > 0 && sinks.weather ? sinks.weather(step.weather) : undefined,
    ]);
    const busy = performance.now() - started;
    report.add(step);
    result.steps++;
    result.events += entryCount(step) + step.arrivals.length + step.weather.length;
    result.busyMs += busy;
    log(formatStepLine(step, busy));
    options.onStep?.(step, busy);
    const more = options.steps === undefined || result.steps < options.steps;
    if (more) await pause(options.stepSeconds * 1000 - busy, options.signal);
  }
  return result;
}
