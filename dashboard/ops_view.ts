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

/** The charts' time axis: the window, or since the first scrape while that is shorter. */
export function chartWindow(view: OpsView): { fromMs: number; toMs: number } {
  const firsts = view.stages.flatMap((s) => s.lagSeries.length ? [s.lagSeries[0][0]] : []);
  const earliest = Math.min(view.atMs, ...firsts);
  const fromMs = Math.max(view.atMs - view.windowMs, earliest);
  // Never narrower than a few scrapes, so that the first points do not fill the whole width.
  return { fromMs: Math.min(fromMs, view.atMs - 6 * view.intervalMs), toMs: view.atMs };
}

/**
 * A sparkline of the series over [fromMs, toMs] in a `width` x `height` box: its SVG path, from
 * 0 just above the bottom to the peak (at least 1) just below the top, with a gap where a value
 * is unknown (empty when there is nothing to draw), and where its latest known point is.
 */
export function sparkline(
  series: readonly Point[],
  fromMs: number,
  toMs: number,
  width: number,
  height: number,
): { path: string; last: [x: number, y: number] | null } {
  const inside = series.filter(([atMs]) => atMs >= fromMs && atMs <= toMs);
  const top = Math.max(1, peak(inside) ?? 0);
  const span = Math.max(1, toMs - fromMs);
  const pad = 3;
  const x = (atMs: number) => round(((atMs - fromMs) / span) * width);
  const y = (value: number) => round(height - pad - (value / top) * (height - 2 * pad));
  let path = "";
  let drawing = false;
  let last: [number, number] | null = null;
  for (const [atMs, value] of inside) {
    if (value === null) {
      drawing = false;
      continue;
    }
    last = [x(atMs), y(value)];
    path += `${drawing ? "L" : "M"}${last[0]} ${last[1]}`;
    drawing = true;
  }
  return { path, last };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** "10 minutes", "45 s": how much time a chart spans. */
export function formatSpan(ms: number): string {
  return ms >= 90_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} s`;
}

/** What a sparkline shows, in words, for its accessible name. */
export function describeSeries(
  what: string,
  series: readonly Point[],
  spanMs: number,
  format: (n: number | null) => string,
): string {
  const over = `${what}, last ${formatSpan(spanMs)}`;
  if (latest(series) === null) return `${over}: no data yet`;
  return `${over}: now ${format(latest(series))}, peak ${format(peak(series))}`;
}
