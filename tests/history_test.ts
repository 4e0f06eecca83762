/**
 * The history stage against the real stack: a seeded simulation's events in PostgreSQL, per
 * station and hour, exactly, across a SIGKILL of the stage and a re-run. The test has a topic
 * namespace and a PostgreSQL schema of its own.
 */
import assert from "node:assert/strict";
import type { Kafka } from "kafkajs";
import { type Config, groupId } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { readMetric } from "../lib/metrics.ts";
import { postgresClient, type Sql } from "../lib/postgres.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import {
  DEAD_LETTER_HEADERS,
  deadLetterGroup,
  deadLetterSource,
} from "../lib/contracts/dead_letters.ts";
import { STAGES } from "../lib/stages.ts";
import { loadSimData } from "../pipeline/sim/data.ts";
import { Simulation } from "../pipeline/sim/model.ts";
import type { SimulationReport } from "../pipeline/sim/report.ts";
import { HOUR_MS } from "../pipeline/history/aggregate.ts";
import { arrivalsPerHour, entriesPerHour } from "../pipeline/history/queries.ts";
import { qualified } from "../pipeline/history/store.ts";
import { configFor, freshNamespace, waitFor } from "./helpers/mod.ts";
import { type StageProcess, startStage } from "./helpers/stage.ts";

const HISTORY = STAGES.history;
const SEED = 20260105;
const TRAINS_PER_LINE = 10;
// Midnight to 8:20 UTC on a Monday: the evening and the early morning in Chicago.
const STEPS = 100;
const START = "2026-01-05";

type Counts = Map<string, number>;

/** What the seeded simulation produced, per `station|hour` and `station|hour|line|direction`. */
function expectedCounts(report: SimulationReport): { entries: Counts; arrivals: Counts } {
  const sim = new Simulation(loadSimData(), {
    start: Date.parse(report.start),
    stepMinutes: report.stepMinutes,
    trainsPerLine: TRAINS_PER_LINE,
    seed: report.seed,
    weather: false,
  });
  const entries: Counts = new Map();
  const arrivals: Counts = new Map();
  const add = (counts: Counts, key: string, n: number) =>
    counts.set(key, (counts.get(key) ?? 0) + n);
  for (let i = 0; i < report.steps; i++) {
    const step = sim.step();
    const hour = Math.floor(step.time / HOUR_MS) * HOUR_MS;
    for (const e of step.entries) if (e.count > 0) add(entries, `${e.stationId}|${hour}`, e.count);
    for (const a of step.arrivals) {
      add(arrivals, `${a.station_id}|${hour}|${a.line}|${a.direction}`, 1);
    }
  }
  return { entries, arrivals };
}

async function historyRows(
  sql: Sql,
  schema: string,
): Promise<{ entries: Counts; arrivals: Counts }> {
  const entries: Counts = new Map();
  for (const r of await sql`SELECT * FROM ${sql(qualified(schema, "entries"))}`) {
    entries.set(`${r.station_id}|${r.hour.getTime()}`, Number(r.entries));
  }
  const arrivals: Counts = new Map();
  for (const r of await sql`SELECT * FROM ${sql(qualified(schema, "arrivals"))}`) {
    arrivals.set(
      `${r.station_id}|${r.hour.getTime()}|${r.line}|${r.direction}`,
      Number(r.arrivals),
    );
  }
  return { entries, arrivals };
}

const total = (counts: Counts) => [...counts.values()].reduce((sum, n) => sum + n, 0);

function perStation(counts: Counts): Map<number, number> {
  const stations = new Map<number, number>();
  for (const [key, n] of counts) {
    const station = Number(key.split("|")[0]);
    stations.set(station, (stations.get(station) ?? 0) + n);
  }
  return stations;
}

function sorted(counts: Counts): [string, number][] {
  return [...counts].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
}

async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.high]));
  } finally {
    await admin.disconnect();
  }
}

function setup() {
  const namespace = freshNamespace();
  const schema = `history_${namespace.replace(/[^a-z0-9]+/g, "_")}`.replace(/_+$/, "");
  const config: Config = { ...configFor(namespace), historySchema: schema };
  const env = { TOPIC_NAMESPACE: namespace, HISTORY_SCHEMA: schema };
  return { config, schema, env, kafka: createKafka("history-test", config.kafka) };
}

Deno.test({
  name: "history rows equal the events produced, per station and hour, across a SIGKILL",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { config, schema, env, kafka } = setup();
    const sql = postgresClient(config.postgres, { max: 1 });
    const report = await Deno.makeTempFile({ suffix: ".json" });
    const started: StageProcess[] = [];
    const history = () => {
      const stage = startStage(HISTORY, [], env);
      started.push(stage);
      return stage;
    };
    try {
      const first = history();
      await first.waitReady(60_000);
      // One record no reader can decode, before the simulation's.
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: config.topics.turnstiles,
        messages: [{ partition: 0, key: "poison", value: "not the wire format" }],
      });
      await producer.disconnect();

      const simulation = startStage(STAGES.simulate, [
        `--steps=${STEPS}`,
        "--step-seconds=0",
        `--seed=${SEED}`,
        `--start=${START}`,
        `--trains-per-line=${TRAINS_PER_LINE}`,
        "--no-weather",
        "--no-connector",
        `--report=${report}`,
      ], env);
      // Killed mid-way: the simulation produces about 118,000 events.
      await waitFor(
        async () => (await readMetric(first.healthUrl, "cta_records_in_total") ?? 0) >= 20_000,
        60_000,
        "the history stage's first 20,000 records",
      );
      assert.notEqual(await first.kill("SIGKILL"), 0);
      const atKill = await historyRows(sql, schema);
      assert.equal(await simulation.exitWithin(180_000), 0, simulation.output());
      const produced: SimulationReport = JSON.parse(await Deno.readTextFile(report));
      const expected = expectedCounts(produced);
      assert.equal(total(expected.entries), produced.totals.turnstiles);
      assert.equal(total(expected.arrivals), produced.totals.arrivals);
      for (const [station, tally] of Object.entries(produced.stations)) {
        assert.equal(perStation(expected.entries).get(Number(station)) ?? 0, tally.turnstiles);
        assert.equal(perStation(expected.arrivals).get(Number(station)) ?? 0, tally.arrivals);
      }
      assert.ok(produced.totals.turnstiles > 50_000, `only ${produced.totals.turnstiles} entries`);
      const counted = total(atKill.entries) + total(atKill.arrivals);
      assert.ok(
        counted > 0 && counted < produced.totals.turnstiles + produced.totals.arrivals,
        `killed mid-way (${counted} counted)`,
      );

      const second = history();
      await second.waitReady(60_000);
      const rows = await historyRows(sql, schema);
      assert.deepEqual(sorted(rows.entries), sorted(expected.entries));
      assert.deepEqual(sorted(rows.arrivals), sorted(expected.arrivals));

      // The station page's queries: Clark/Lake, the whole run.
      const end = Date.parse(START) + STEPS * produced.stepMinutes * 60_000;
      const clarkLake = await entriesPerHour(sql, schema, 40380, Date.parse(START), end);
      assert.deepEqual(
        clarkLake.map((h) => [`40380|${h.hour}`, h.entries]),
        sorted(expected.entries).filter(([key]) => key.startsWith("40380|")),
      );
      const trains = await arrivalsPerHour(sql, schema, 40380, Date.parse(START), end);
      assert.equal(
        trains.reduce((sum, h) => sum + h.arrivals, 0),
        produced.stations["40380"].arrivals,
      );

      // Every partition's stored next offset is its end.
      const group = groupId(config, HISTORY.consumerGroup);
      for (const topic of [config.topics.turnstiles, config.topics.arrivals]) {
        const stored = await sql`
          SELECT partition, next_offset FROM ${sql(qualified(schema, "offsets"))}
          WHERE consumer = ${group} AND topic = ${topic} ORDER BY partition`;
        const ends = await endOffsets(kafka, topic);
        assert.deepEqual(
          stored.map((r) => [r.partition, r.next_offset]),
          [...ends].sort(([a], [b]) => a - b),
          topic,
        );
      }

      // The poison record, dead-lettered (at least once: a kill may repeat a dead letter).
      const letters: { offset: string; reason: string }[] = [];
      await readToEnd(kafka, `${config.topics.turnstiles}.dlq`, (_p, message) => {
        const source = deadLetterSource(message.headers);
        const reason = String(message.headers?.[DEAD_LETTER_HEADERS.reason] ?? "");
        assert.equal(deadLetterGroup(message.headers), groupId(config, HISTORY.consumerGroup));
        if (source?.partition === 0) letters.push({ offset: source.offset, reason });
      });
      assert.ok(letters.length >= 1, "the poison record is in the DLQ");
      for (const letter of letters) {
        assert.equal(letter.offset, "0");
        assert.match(letter.reason, /magic byte/);
      }

      // A re-run after the end adds nothing.
      assert.equal(await second.kill("SIGTERM"), 0, second.output());
      const third = history();
      await third.waitReady(60_000);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(await readMetric(third.healthUrl, "cta_transactions_total"), 0);
      const again = await historyRows(sql, schema);
      assert.deepEqual(sorted(again.entries), sorted(expected.entries));
      assert.deepEqual(sorted(again.arrivals), sorted(expected.arrivals));
      assert.equal(await third.kill("SIGTERM"), 0, third.output());
    } catch (error) {
      for (const stage of started) console.error(stage.output());
      throw error;
    } finally {
      for (const stage of started) await stage.kill("SIGKILL");
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end();
      await Deno.remove(report);
    }
  },
});
