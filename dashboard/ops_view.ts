/**
 * What the ops page shows of each stage, and how: the JSON of /api/ops, its wording and the
 * sparklines' geometry. Pure, and shared by the server render and the browser.
 */

/** ready: /readyz 200; not ready: alive, not ready; down: /healthz 503; unreachable: no answer. */
export type StageState = "ready" | "not ready" | "down" | "unreachable";

/** A moment of a series: milliseconds since the epoch, and the value (null: not known then). */
export type Point = [atMs: number, value: number | null];

export interface StageView {
  name: string;
  /** Its health server, or where the dashboard reads itself. */
  url: string;
  /** null until the first scrape has ended. */
  state: StageState | null;
  /** Why it could not be read, when it could not. */
  error: string | null;
  lastScrapeAtMs: number | null;
  /** Records behind, summed over every input partition (cta_consumer_lag). */
  lag: number | null;
  /** Records per second over the last scrapes (counter increases, resets allowed for). */
  inPerSecond: number | null;
  outPerSecond: number | null;
  /** null for a stage that has ended no transaction in the window (or reads none). */
  committedPerSecond: number | null;
  abortedPerSecond: number | null;
  /** Records sent to a dead-letter topic since the process started. */
  deadLetters: number | null;
  /** Which counter the throughput series follows: records in, or out for a stage that reads none. */
  throughputOf: "in" | "out";
  lagSeries: Point[];
  throughputSeries: Point[];
}

export interface OpsView {
  atMs: number;
  windowMs: number;
  intervalMs: number;
  stages: StageView[];
}

export const STATE_WORDS: Record<StageState, string> = {
  "ready": "Ready",
  "not ready": "Not ready",
  "down": "Down",
  "unreachable": "Unreachable",
};

/** A CSS-friendly name of a state (`not-ready`), or `unknown` before the first scrape. */
export function stateClass(state: StageState | null): string {
  return state === null ? "unknown" : state.replace(" ", "-");
}

export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return "–";
  if (perSecond === 0) return "0/s";
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  return `${Math.round(perSecond).toLocaleString("en-US")}/s`;
}

export function formatNumber(n: number | null): string {
  return n === null ? "–" : Math.round(n).toLocaleString("en-US");
}

/** The most recent known value of a series. */
export function latest(series: readonly Point[]): number | null {
  for (let i = series.length - 1; i >= 0; i--) {
    if (series[i][1] !== null) return series[i][1];
  }
  return null;
}

export function peak(series: readonly Point[]): number | null {
  let max: number | null = null;
  for (const [, value] of series) {
    if (value !== null && (max === null || value > max)) max = value;
  }
  return max;
}

/**
 * An SVG path of the series over [fromMs, toMs] in a `width` x `height` box, from 0 at the
 * bottom to the peak (at least 1) at the top; a gap where a value is unknown. Empty when there
 * is nothing to draw.
 */
export function sparklinePath(
  series: readonly Point[],
  fromMs: number,
  toMs: number,
  width: number,
  height: number,
): string {
  const top = Math.max(1, peak(series) ?? 0);
  const span = Math.max(1, toMs - fromMs);
  const x = (atMs: number) => round(((atMs - fromMs) / span) * width);
  const y = (value: number) => round(height - (value / top) * height);
  let path = "";
  let drawing = false;
  for (const [atMs, value] of series) {
    if (value === null || atMs < fromMs || atMs > toMs) {
      drawing = false;
      continue;
    }
    path += `${drawing ? "L" : "M"}${x(atMs)} ${y(value)}`;
    drawing = true;
  }
  return path;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** What a sparkline shows, in words, for its accessible name. */
export function describeSeries(
  what: string,
  series: readonly Point[],
  windowMs: number,
  format: (n: number | null) => string,
): string {
  const minutes = Math.round(windowMs / 60_000);
  if (latest(series) === null) return `${what}, last ${minutes} minutes: no data yet`;
  return `${what}, last ${minutes} minutes: now ${format(latest(series))}, peak ${
    format(peak(series))
  }`;
}
