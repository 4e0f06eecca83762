/** What a chaos run verifies at its end, free of I/O: expected figures in, verdicts out. */
import { linesOf, StationIndex } from "../pipeline/stations/topology.ts";
import type { Random } from "../pipeline/sim/prng.ts";
import type { StationRow } from "../lib/contracts/stations.ts";
import type { TransformedStation } from "../lib/contracts/stations_transformed.ts";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const MAX_LISTED = 5;

function listed(items: string[]): string {
  const shown = items.slice(0, MAX_LISTED).join("; ");
  return items.length > MAX_LISTED ? `${shown}; … ${items.length - MAX_LISTED} more` : shown;
}

/** Every station's count equals exactly what was produced for it, and no other station has one. */
export function compareCounts(
  name: string,
  expected: ReadonlyMap<number, number>,
  actual: ReadonlyMap<number, number>,
  unit = "entries",
): Check {
  const wrong: string[] = [];
  for (const [station, count] of expected) {
    const seen = actual.get(station) ?? 0;
    if (seen !== count) wrong.push(`${station}: expected ${count}, got ${seen}`);
  }
  for (const [station, count] of actual) {
    if (!expected.has(station) && count !== 0) wrong.push(`${station}: unexpected ${count}`);
  }
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  return {
    name,
    ok: wrong.length === 0,
    detail: wrong.length === 0
      ? `${expected.size} stations, ${total} ${unit}, all equal`
      : `${wrong.length} stations differ: ${listed(wrong)}`,
  };
}

/** Every reading the simulation posted is on the topic (a retried post may repeat one). */
export function compareWeather(posted: readonly number[], seen: readonly number[]): Check {
  const present = new Set(seen);
  const missing = posted.filter((t) => !present.has(t));
  const duplicates = seen.length - present.size;
  return {
    name: "no weather reading is missing",
    ok: posted.length > 0 && missing.length === 0,
    detail: missing.length === 0
      ? `${posted.length} posted, ${present.size} distinct on the topic, ${duplicates} repeated`
      : `${missing.length} of ${posted.length} missing: ${listed(missing.map(String))}`,
  };
}

/** The latest value per key of a compacted topic, as JSON text; tombstones remove the key. */
export function latestByKey(records: { key: string; value: string | null }[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const { key, value } of records) {
    if (value === null) latest.delete(key);
    else latest.set(key, value);
  }
  return latest;
}

/** The transformed stations expected from the table's rows after the run's update. */
export function expectedStations(
  rows: readonly StationRow[],
  renamed: { stationId: number; name: string },
): Map<string, TransformedStation> {
  const index = new StationIndex();
  for (const row of rows) {
    const name = row.station_id === renamed.stationId ? renamed.name : row.station_name;
    index.apply(row.stop_id, { ...row, station_name: name });
  }
  return index.all();
}

export function compareStations(
  expected: ReadonlyMap<string, TransformedStation>,
  latest: ReadonlyMap<string, string>,
): Check {
  const wrong: string[] = [];
  for (const [key, station] of expected) {
    const value = latest.get(key);
    if (value === undefined) wrong.push(`${key} missing`);
    else if (value !== JSON.stringify(station)) wrong.push(`${key} is ${value}`);
  }
  for (const key of latest.keys()) if (!expected.has(key)) wrong.push(`${key} unexpected`);
  return {
    name: "the transformed stations are exactly the expected set",
    ok: wrong.length === 0,
    detail: wrong.length === 0 ? `${expected.size} station/line records` : listed(wrong),
  };
}

/** The update made while Connect was down reached a reader once per line, not more. */
export function compareRename(
  records: { key: string; value: string | null }[],
  renamed: { stationId: number; name: string },
  lines: number,
): Check {
  const carrying = records.filter((r) => {
    if (r.value === null) return false;
    const station = JSON.parse(r.value) as TransformedStation;
    return station.station_id === renamed.stationId && station.station_name === renamed.name;
  });
  return {
    name: "the update made while Connect was down arrived exactly once",
    ok: lines > 0 && carrying.length === lines,
    detail: `${carrying.length} record(s) carry "${renamed.name}" for ${lines} line(s)`,
  };
}

/** A dead letter as read back: the record's value as text, and the group that wrote it. */
export interface DeadLetter {
  value: string;
  group: string | null;
}

/**
 * A dead-letter topic holds exactly the records the run injected on purpose, from each group
 * that reads the topic: once each from a stage that writes dead letters in its transaction, at
 * least once each from one that may repeat them after a crash. A letter from any other group,
 * or without one, fails the check.
 */
export function compareDeadLetters(
  topic: string,
  injected: readonly string[],
  readers: readonly { group: string; delivery: "exactly once" | "at least once" }[],
  found: readonly DeadLetter[],
): Check {
  const wrong: string[] = [];
  const expected = [...injected].sort();
  for (const { group, delivery } of readers) {
    const values = found.filter((l) => l.group === group).map((l) => l.value).sort();
    const got = delivery === "exactly once" ? values : [...new Set(values)];
    const same = got.length === expected.length && got.every((v, i) => v === expected[i]);
    if (!same) wrong.push(`${group} wrote ${values.length}: ${listed(values)}`);
  }
  const groups = new Set(readers.map((r) => r.group));
  const strangers = found.filter((l) => l.group === null || !groups.has(l.group));
  if (strangers.length > 0) {
    wrong.push(
      `from no reader of the topic: ${listed(strangers.map((l) => `${l.group}: ${l.value}`))}`,
    );
  }
  return {
    name: `${topic} holds only what was injected, from each reader`,
    ok: wrong.length === 0,
    detail: wrong.length === 0
      ? `${injected.length} injected, ${found.length} letters from ${readers.length} group(s)`
      : listed(wrong),
  };
}

/** The simulation ended by itself with exit code 0 (not killed, not failed). */
export function simulationCheck(exitCode: number, steps: number): Check {
  return {
    name: "the simulation finished by itself",
    ok: exitCode === 0,
    detail: `exit code ${exitCode} after ${steps} steps`,
  };
}

/** No stage died during the run: of the stages `started`, `crashed` are no longer running. */
export function runningCheck(started: readonly string[], crashed: readonly string[]): Check {
  return {
    name: "every stage is still running",
    ok: crashed.length === 0,
    detail: crashed.length === 0
      ? `${started.length} alive: ${started.join(", ")}`
      : `not running: ${crashed.join(", ")}`,
  };
}

/**
 * The station the run renames while Connect is down: one on the Red, Blue or Green line, since
 * only those reach the transformed topic and the dashboard.
 */
export function drawRename(
  rows: readonly StationRow[],
  random: Random,
  seed: number,
): { stationId: number; name: string } {
  const served = rows.filter((r) => linesOf(r).length > 0);
  const stationIds = [...new Set(served.map((r) => r.station_id))].sort((a, b) => a - b);
  const stationId = stationIds[random.int(0, stationIds.length - 1)];
  const name = `${served.find((r) => r.station_id === stationId)!.station_name} (chaos ${seed})`;
  return { stationId, name };
}
