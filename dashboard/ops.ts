/**
 * The ops page's memory: each stage's scrapes (health, readiness, /metrics) over the last
 * minutes, and what an operator reads from them: state, lag, throughput, transactions, dead
 * letters. Pure: the scraper (ops_scraper.ts) brings the probes in.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import type { OpsTarget } from "../lib/config.ts";
import type { OpsView, Point, StageState, StageView } from "./ops_view.ts";

export const SCRAPE_INTERVAL_MS = 5_000;
export const WINDOW_MS = 10 * 60_000;
/** "Now" rates average the scrapes of this last span, so that one batch does not flap them. */
export const RATE_SPAN_MS = 15_000;

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface ParsedFamily {
  name: string;
  type: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

/**
 * The plain samples (counters, gauges, untyped) of a Prometheus text exposition; histograms and
 * summaries are left out, and so are NaN values.
 */
export function parseExposition(text: string): MetricSample[] {
  let families: ParsedFamily[];
  try {
    families = parsePrometheusTextFormat(text) as ParsedFamily[];
  } catch (error) {
    throw new Error(`unreadable metrics: ${(error as Error).message}`);
  }
  const samples: MetricSample[] = [];
  for (const family of families) {
    if (family.type === "HISTOGRAM" || family.type === "SUMMARY") continue;
    for (const metric of family.metrics) {
      const value = Number(metric.value);
      if (metric.value === undefined || Number.isNaN(value)) continue;
      samples.push({ name: family.name, labels: metric.labels ?? {}, value });
    }
  }
  return samples;
}

/** What one scrape of a stage brought back. */
export interface Probe {
  atMs: number;
  /** HTTP status of /healthz; null when it did not answer. */
  healthz: number | null;
  readyz: number | null;
  /** The /metrics text; null when it did not answer. */
  metrics: string | null;
  /** Why it did not answer, when it did not. */
  error?: string;
}

const COUNTERS = {
  recordsIn: { metric: "cta_records_in_total" },
  recordsOut: { metric: "cta_records_out_total" },
  committed: { metric: "cta_transactions_total", outcome: "committed" },
  aborted: { metric: "cta_transactions_total", outcome: "aborted" },
  deadLetters: { metric: "cta_dead_letters_total" },
} as const;

type CounterName = keyof typeof COUNTERS;
type Counter = { metric: string; outcome?: string };
/** Counter values by series (their labels), per counter. */
type Counters = Record<CounterName, Map<string, number>>;

/** A probe, reduced to what the page shows. */
export interface Reading {
  atMs: number;
  state: StageState;
  error: string | null;
  /** The sum of cta_consumer_lag; null without metrics or without a lag series. */
  lag: number | null;
  /** null when the metrics could not be read. */
  counters: Counters | null;
}

export function stateOf(probe: Probe): StageState {
  if (probe.healthz === null) return "unreachable";
  if (probe.healthz !== 200) return "down";
  return probe.readyz === 200 ? "ready" : "not ready";
}

const seriesKey = (labels: Record<string, string>) =>
  Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(",");

export function readProbe(probe: Probe): Reading {
  const reading: Reading = {
    atMs: probe.atMs,
    state: stateOf(probe),
    error: probe.error ?? null,
    lag: null,
    counters: null,
  };
  if (probe.metrics === null) return reading;
  let samples: MetricSample[];
  try {
    samples = parseExposition(probe.metrics);
  } catch (error) {
    reading.error = (error as Error).message;
    return reading;
  }
  const counters = Object.fromEntries(
    Object.keys(COUNTERS).map((name) => [name, new Map<string, number>()]),
  ) as Counters;
  for (const sample of samples) {
    if (sample.name === "cta_consumer_lag") reading.lag = (reading.lag ?? 0) + sample.value;
    for (const [name, wanted] of Object.entries(COUNTERS) as [CounterName, Counter][]) {
      if (sample.name !== wanted.metric) continue;
      if (wanted.outcome && sample.labels.outcome !== wanted.outcome) continue;
      counters[name].set(seriesKey(sample.labels), sample.value);
    }
  }
  reading.counters = counters;
  return reading;
}

/**
 * How much a counter grew from one reading to the next, summed over its series, as Prometheus's
 * increase() counts it: a series that went down was reset (its process restarted) and counts
 * from zero; a series that appeared counts whole. null when either reading has no metrics.
 */
export function increase(before: Reading, after: Reading, counter: CounterName): number | null {
  if (!before.counters || !after.counters) return null;
  let total = 0;
  for (const [key, value] of after.counters[counter]) {
    const previous = before.counters[counter].get(key) ?? 0;
    total += value >= previous ? value - previous : value;
  }
  return total;
}

/**
 * Per second over the readings of the last `spanMs` (at least the last two), following back
 * only while each pair of readings has metrics.
 */
export function recentRate(
  readings: readonly Reading[],
  counter: CounterName,
  spanMs = RATE_SPAN_MS,
): number | null {
  const last = readings.length - 1;
  let grown = 0;
  let elapsedMs = 0;
  for (let i = last; i > 0; i--) {
    const step = increase(readings[i - 1], readings[i], counter);
    if (step === null) break;
    grown += step;
    elapsedMs += readings[i].atMs - readings[i - 1].atMs;
    if (readings[last].atMs - readings[i - 1].atMs >= spanMs) break;
  }
  return elapsedMs > 0 ? grown / (elapsedMs / 1000) : null;
}

function total(counters: Counters | null, counter: CounterName): number | null {
  if (!counters) return null;
  let sum = 0;
  for (const value of counters[counter].values()) sum += value;
  return sum;
}

/** Each target's readings over the window, and the view of them. */
export class OpsHistory {
  readonly #readings = new Map<string, Reading[]>();

  constructor(
    readonly targets: readonly OpsTarget[],
    readonly windowMs = WINDOW_MS,
    readonly intervalMs = SCRAPE_INTERVAL_MS,
  ) {
    for (const target of targets) this.#readings.set(target.name, []);
  }

  add(name: string, reading: Reading): void {
    const readings = this.#readings.get(name);
    if (!readings) throw new Error(`${name} is not an ops target`);
    readings.push(reading);
    // One reading older than the window stays, for the first rate inside it.
    while (readings.length > 2 && readings[1].atMs < reading.atMs - this.windowMs) {
      readings.shift();
    }
  }

  readings(name: string): readonly Reading[] {
    return this.#readings.get(name) ?? [];
  }

  view(nowMs: number): OpsView {
    return {
      atMs: nowMs,
      windowMs: this.windowMs,
      intervalMs: this.intervalMs,
      stages: this.targets.map((target) => stageView(target, this.readings(target.name))),
    };
  }
}

export function stageView(target: OpsTarget, readings: readonly Reading[]): StageView {
  const last = readings.at(-1);
  const countsIn = readings.some((r) => (r.counters?.recordsIn.size ?? 0) > 0);
  const throughputOf = countsIn || !readings.some((r) => (r.counters?.recordsOut.size ?? 0) > 0)
    ? "in"
    : "out";
  const transactional = readings.some((r) =>
    (r.counters?.committed.size ?? 0) + (r.counters?.aborted.size ?? 0) > 0
  );
  const throughputCounter: CounterName = throughputOf === "in" ? "recordsIn" : "recordsOut";
  const throughputSeries: Point[] = readings.slice(1).map((reading, i) => {
    const grown = increase(readings[i], reading, throughputCounter);
    const seconds = (reading.atMs - readings[i].atMs) / 1000;
    return [reading.atMs, grown === null || seconds <= 0 ? null : grown / seconds];
  });
  return {
    name: target.name,
    url: target.url,
    state: last?.state ?? null,
    error: last?.error ?? null,
    lastScrapeAtMs: last?.atMs ?? null,
    lag: last?.lag ?? null,
    inPerSecond: recentRate(readings, "recordsIn"),
    outPerSecond: recentRate(readings, "recordsOut"),
    committedPerSecond: transactional ? recentRate(readings, "committed") : null,
    abortedPerSecond: transactional ? recentRate(readings, "aborted") : null,
    deadLetters: total(last?.counters ?? null, "deadLetters"),
    throughputOf,
    lagSeries: readings.map((r) => [r.atMs, r.lag]),
    throughputSeries,
  };
}
