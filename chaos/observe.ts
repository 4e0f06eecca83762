/**
 * What the chaos run reads back from the system: topics read to their end, the dashboard's
 * state, the stations table, partition leaders and the stages' output.
 */
import type { Kafka } from "kafkajs";
import type { Config } from "../lib/config.ts";
import { postgresClient } from "../lib/postgres.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { createRegistry } from "../lib/registry.ts";
import { AvroDecoder } from "../lib/contracts/wire_format.ts";
import type { StationRow } from "../lib/contracts/stations.ts";
import { parseSummaryValue } from "../lib/contracts/turnstile_summary.ts";
import { parseExposition } from "../dashboard/ops.ts";
import { compareCounts, type DeadLetter } from "./checks.ts";
import { deadLetterGroup } from "../lib/contracts/dead_letters.ts";
import { qualified } from "../pipeline/history/store.ts";
import { type LagSample, stageRole } from "./report.ts";
import type { Child } from "./processes.ts";
import { type Run, sleep } from "./run.ts";

export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(250);
  }
  return false;
}

/** Reads counts until they equal `expected` or the time is up; resolves with the last reading. */
export async function settledCounts(
  read: () => Promise<Map<number, number>>,
  expected: ReadonlyMap<number, number>,
  timeoutMs: number,
): Promise<Map<number, number>> {
  let counts = new Map<number, number>();
  await waitUntil(async () => {
    counts = await read();
    return compareCounts("", expected, counts).ok;
  }, timeoutMs);
  return counts;
}

export const countsByStation = (counts: Record<string, number>) =>
  new Map(Object.entries(counts).map(([id, n]) => [Number(id), n]));

export async function dashboardState(run: Run): Promise<
  { turnstiles: Record<string, number>; text: string } | null
> {
  try {
    const response = await fetch(
      `http://127.0.0.1:${run.config.dashboard.port}/api/state`,
      { signal: AbortSignal.timeout(3000) },
    );
    const text = await response.text();
    if (!response.ok) return null;
    const body = JSON.parse(text);
    return { turnstiles: body.state.turnstiles, text };
  } catch {
    return null;
  }
}

/** The dashboard's totals per station; none while it does not answer. */
export async function dashboardCounts(run: Run): Promise<Map<number, number>> {
  return countsByStation((await dashboardState(run))?.turnstiles ?? {});
}

export async function stationRows(config: Config): Promise<StationRow[]> {
  const sql = postgresClient(config.postgres, { max: 1 });
  try {
    return await sql<StationRow[]>`
      SELECT stop_id, station_id, station_name, "order", red, blue, green FROM stations`;
  } finally {
    await sql.end();
  }
}

export interface ReadRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: Record<string, unknown>;
}

export async function readAll(kafka: Kafka, topic: string): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  const keep = (m: ReadRecord) => records.push({ key: m.key, value: m.value, headers: m.headers });
  await readToEnd(kafka, topic, (_p, m) => keep(m), {
    readCommitted: true,
    timeoutMs: 120_000,
  });
  return records;
}

const text = (bytes: Uint8Array | null) => bytes === null ? null : new TextDecoder().decode(bytes);

/** The latest count per station on the summary topic. */
export async function summaryCounts(run: Run): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const record of await readAll(run.kafka, run.config.topics.turnstileSummary)) {
    const summary = parseSummaryValue(text(record.value));
    if (summary) counts.set(summary.STATION_ID, summary.COUNT);
  }
  return counts;
}

/** Every record of the transformed stations topic, as text. */
export async function transformedStations(
  run: Run,
): Promise<{ key: string; value: string | null }[]> {
  return (await readAll(run.kafka, run.config.topics.stationsTransformed))
    .map((r) => ({ key: text(r.key) ?? "", value: text(r.value) }));
}

/** The timestamps in the keys of the weather topic, decoded through the registry. */
export async function weatherTimestamps(run: Run): Promise<number[]> {
  const decoder = new AvroDecoder(createRegistry(run.config.registry));
  const weatherRecords = await readAll(run.kafka, run.config.topics.weather);
  const keys = await decoder.decodeAll<{ timestamp: number }>(
    // deno-lint-ignore no-explicit-any
    weatherRecords.map((r) => r.key as any),
  );
  return keys.flatMap((k) => k instanceof Error ? [] : [Number(k.timestamp)]);
}

export async function deadLetters(run: Run, topic: string): Promise<DeadLetter[]> {
  return (await readAll(run.kafka, topic))
    .map((r) => ({ value: text(r.value) ?? "", group: deadLetterGroup(r.headers) }));
}

/** The history stage's entries and arrivals per station, summed over the hours. */
export async function historyCounts(
  config: Config,
): Promise<{ entries: Map<number, number>; arrivals: Map<number, number> }> {
  const sql = postgresClient(config.postgres, { max: 1 });
  const perStation = (rows: { station_id: number; n: string }[]) =>
    new Map(rows.map((r) => [Number(r.station_id), Number(r.n)]));
  try {
    const entries = await sql<{ station_id: number; n: string }[]>`
      SELECT station_id, sum(entries) AS n FROM ${sql(qualified(config.historySchema, "entries"))}
      GROUP BY station_id`;
    const arrivals = await sql<{ station_id: number; n: string }[]>`
      SELECT station_id, sum(arrivals) AS n FROM ${sql(qualified(config.historySchema, "arrivals"))}
      GROUP BY station_id`;
    return { entries: perStation(entries), arrivals: perStation(arrivals) };
  } finally {
    await sql.end();
  }
}

/** The broker that leads most partitions of the turnstiles topic. */
export async function turnstileLeader(run: Run): Promise<number> {
  const admin = run.kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [run.config.topics.turnstiles] });
    const leaders = new Map<number, number>();
    for (const p of topics[0].partitions) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
    return [...leaders].sort((a, b) => b[1] - a[1])[0][0];
  } finally {
    await admin.disconnect();
  }
}

/** How many steps the simulation has printed so far. */
export const stepsDone = (sim: Child) => (sim.output().match(/ step \d+:/g) ?? []).length;

/**
 * A stage's summed cta_consumer_lag from its /metrics: null when it does not answer, undefined
 * when it answers without a lag series.
 */
async function consumerLag(healthUrl: string): Promise<number | null | undefined> {
  try {
    const response = await fetch(`${healthUrl}/metrics`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const lags = parseExposition(await response.text()).filter((s) =>
      s.name === "cta_consumer_lag"
    );
    return lags.length === 0 ? undefined : lags.reduce((sum, s) => sum + s.value, 0);
  } catch {
    return null;
  }
}

/** Samples every running stage's consumer lag every few seconds, for the final report. */
export class LagSampler {
  readonly samples: LagSample[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sampling: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly run: Run, private readonly everyMs = 3_000) {}

  start(): void {
    const tick = async () => {
      this.#sampling = this.sampleOnce();
      await this.#sampling;
      if (!this.#stopped) this.#timer = setTimeout(tick, this.everyMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#sampling;
  }

  async sampleOnce(): Promise<void> {
    const atMs = this.run.elapsed;
    const lag: Record<string, number | null> = {};
    const serving = this.run.children.filter((c) => c.running && c.servesHealth);
    await Promise.all(serving.map(async (child) => {
      const value = await consumerLag(child.healthUrl);
      if (value === undefined) return;
      const role = stageRole(child.name);
      lag[role] = value === null ? lag[role] ?? null : (lag[role] ?? 0) + value;
    }));
    this.samples.push({ atMs, lag });
  }
}
