/** The fault table and the verdict of a chaos run (pure). */
import { renderTable } from "../stack/table.ts";
import type { Check } from "./checks.ts";

export interface FaultRecord {
  fault: string;
  /** Milliseconds since the run started. */
  atMs: number;
  /** Milliseconds from the fault until the service was serving again, if it was. */
  recoveredMs?: number;
  verified: string;
}

const seconds = (ms: number | undefined) => ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;

export function faultTable(faults: readonly FaultRecord[]): string {
  const rows = [...faults].sort((a, b) => a.atMs - b.atMs).map((f, i) => [
    String(i + 1),
    `+${seconds(f.atMs)}`,
    f.fault,
    seconds(f.recoveredMs),
    f.verified,
  ]);
  return renderTable(["#", "at", "fault", "recovered in", "verified"], rows);
}

export function checkTable(checks: readonly Check[]): string {
  return renderTable(
    ["check", "result", "detail"],
    checks.map((c) => [c.name, c.ok ? "PASS" : "FAIL", c.detail]),
  );
}

/** 0 when every check passed and there was at least one. */
export function exitCode(checks: readonly Check[]): number {
  return checks.length > 0 && checks.every((c) => c.ok) ? 0 : 1;
}

/**
 * `count` moments in [fromMs, toMs), sorted and at least `gapMs` apart, from a seeded draw:
 * the same seed gives the same schedule.
 */
export function killSchedule(
  random: () => number,
  count: number,
  fromMs: number,
  toMs: number,
  gapMs: number,
): number[] {
  const span = toMs - fromMs - gapMs * (count - 1);
  if (count <= 0) return [];
  if (span <= 0) throw new RangeError(`${count} kills ${gapMs} ms apart do not fit the window`);
  const draws = Array.from({ length: count }, () => random() * span).sort((a, b) => a - b);
  return draws.map((d, i) => Math.round(fromMs + d + i * gapMs));
}

/** Every stage's summed cta_consumer_lag at one moment; null where it did not answer. */
export interface LagSample {
  /** Milliseconds since the run started. */
  atMs: number;
  lag: Record<string, number | null>;
}

/** The stage a process stands for: restarts (`summary-a-3`, `dashboard-2`) share their row. */
export function stageRole(processName: string): string {
  return processName.replace(/-\d+$/, "");
}

const LEVELS = "▂▃▄▅▆▇█";
const NO_ANSWER = "·";

/**
 * One character per moment, scaled to the row's own peak: ▁ is zero, █ the peak, · no answer
 * (the stage was down or not serving); at most `width` characters, each the peak of its slice.
 */
export function lagSparkline(values: readonly (number | null)[], width: number): string {
  const slices = Math.min(width, values.length);
  const top = Math.max(0, ...values.map((v) => v ?? 0));
  let line = "";
  for (let i = 0; i < slices; i++) {
    const slice = values.slice(
      Math.floor((i * values.length) / slices),
      Math.floor(((i + 1) * values.length) / slices),
    );
    const known = slice.filter((v): v is number => v !== null);
    if (known.length === 0) {
      line += NO_ANSWER;
      continue;
    }
    const peak = Math.max(...known);
    line += peak <= 0 || top <= 0
      ? "▁"
      : LEVELS[Math.min(LEVELS.length - 1, Math.floor((peak / top) * LEVELS.length))];
  }
  return line;
}

/** The consumer lag table of the final report: per stage its peak, when, the last value, a line. */
export function lagOverTime(samples: readonly LagSample[], width = 60): string {
  if (samples.length === 0) return "(no samples)";
  const stages = [...new Set(samples.flatMap((s) => Object.keys(s.lag)))].sort()
    // A stage with no lag series only ever appears as not answering: nothing to show.
    .filter((stage) => samples.some((s) => typeof s.lag[stage] === "number"));
  if (stages.length === 0) return "(no stage reported a consumer lag)";
  const rows = stages.map((stage) => {
    const values = samples.map((s) => s.lag[stage] ?? null);
    let peakAt = -1;
    values.forEach((v, i) => {
      if (v !== null && (peakAt < 0 || v > values[peakAt]!)) peakAt = i;
    });
    const last = values.findLast((v) => v !== null);
    return [
      stage,
      peakAt < 0 ? "-" : String(values[peakAt]),
      peakAt < 0 ? "-" : `+${seconds(samples[peakAt].atMs)}`,
      last === undefined ? "-" : String(last),
      lagSparkline(values, width),
    ];
  });
  const span = `+${seconds(samples[0].atMs)} … +${seconds(samples.at(-1)!.atMs)}`;
  return renderTable(["stage", "peak", "at", "last", `over time (${span})`], rows);
}
