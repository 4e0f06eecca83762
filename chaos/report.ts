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
