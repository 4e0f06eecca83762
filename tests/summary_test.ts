/**
 * The turnstile summary against the real stack: exact counts, poison input, kill -9 and
 * scale-out. Every test runs in its own topic namespace.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Kafka } from "kafkajs";
import { createKafka } from "../lib/kafka.ts";
import { createRegistry } from "../lib/registry.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { deadLetterTopic } from "../lib/topics.ts";
import type { Config } from "../lib/config.ts";
import { parseSummaryValue } from "../pipeline/turnstile_summary.ts";
import { configFor, freshNamespace, waitFor } from "./helpers/mod.ts";
import { type StageProcess, startStage } from "./helpers/stage.ts";
import { entriesPerStation, produceTurnstiles } from "./turnstile_fixture.ts";

const SUMMARY = "pipeline/summary/main.ts";

function setup(partitions = 3) {
  const namespace = freshNamespace();
  const config: Config = { ...configFor(namespace), partitions };
  const kafka = createKafka("summary-test", config.kafka);
  const env = { TOPIC_NAMESPACE: namespace, TOPIC_PARTITIONS: String(partitions) };
  return { config, kafka, env };
}

/** The committed TURNSTILE_SUMMARY: the latest count per station. */
async function summaryCounts(kafka: Kafka, config: Config): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  await readToEnd(kafka, config.topics.turnstileSummary, (_p, message) => {
    const summary = parseSummaryValue(message.value?.toString() ?? null);
    if (summary) counts.set(summary.STATION_ID, summary.COUNT);
  });
  return counts;
}

function total(counts: Map<number, number>): number {
  let sum = 0;
  for (const n of counts.values()) sum += n;
  return sum;
}

async function waitForTotal(
  kafka: Kafka,
  config: Config,
  expected: number,
  stages: StageProcess[],
) {
  try {
    await waitFor(
      async () => {
        const topics = await listTopics(kafka);
        if (!topics.includes(config.topics.turnstileSummary)) return false;
        return total(await summaryCounts(kafka, config)) >= expected;
      },
      90_000,
      `a summary total of ${expected}`,
    );
  } catch (error) {
    for (const stage of stages) console.error(stage.output());
    throw error;
  }
}

async function listTopics(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

function assertExact(actual: Map<number, number>, expected: Map<number, number>) {
  assert.equal(total(actual), total(expected), "total entries");
  assert.deepEqual(
    new Map([...actual].sort(([a], [b]) => a - b)),
    new Map([...expected].sort(([a], [b]) => a - b)),
  );
}

Deno.test("summary counts every station exactly and sends poison records to the DLQ", async () => {
  const { config, kafka, env } = setup();
  const registry = createRegistry(config.registry);
  const expected = entriesPerStation(20_000);
  await produceTurnstiles(kafka, registry, config, expected);
  // Three records no decoder can read, between valid ones.
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: config.topics.turnstiles,
    messages: [
      { key: "x", value: "not avro at all" },
      { key: "y", value: Buffer.from([0, 0, 0, 0, 99, 1, 2]) },
      { key: "z", value: null },
    ],
  });
  await producer.disconnect();
  await produceTurnstiles(kafka, registry, config, new Map([[40380, 5]]));
  expected.set(40380, (expected.get(40380) ?? 0) + 5);

  const stage = startStage(SUMMARY, [], env);
  try {
    await waitForTotal(kafka, config, total(expected), [stage]);
    assertExact(await summaryCounts(kafka, config), expected);

    const dead: { value: string | null; reason: string }[] = [];
    await readToEnd(kafka, deadLetterTopic(config.topics.turnstiles), (_p, m) => {
      dead.push({ value: m.value?.toString() ?? null, reason: String(m.headers?.reason ?? "") });
    });
    assert.equal(dead.length, 3);
    assert.ok(dead.some((d) => d.value === "not avro at all" && /magic byte/.test(d.reason)));
    assert.ok(dead.some((d) => /schema id 99/.test(d.reason)), JSON.stringify(dead));
    assert.ok(dead.some((d) => d.value === null && /empty/.test(d.reason)));
  } finally {
    assert.equal(await stage.kill("SIGTERM"), 0, "a clean stop on SIGTERM exits 0");
  }
});

Deno.test("a seeded simulation's turnstile events are counted exactly, station by station", async () => {
  const { config, kafka, env } = setup();
  const report = await Deno.makeTempFile({ suffix: ".json" });
  const summary = startStage(SUMMARY, [], env);
  try {
    // Midnight to 9:00 on a weekday, the morning rush included.
    const simulation = startStage("pipeline/simulate.ts", [
      "--steps=108",
      "--step-seconds=0",
      "--seed=20181001",
      "--start=2018-10-01",
      "--no-weather",
      "--no-connector",
      `--report=${report}`,
    ], env);
    assert.equal(await simulation.exited, 0, simulation.output());
    const produced: {
      totals: { turnstiles: number };
      stations: Record<string, { turnstiles: number }>;
    } = JSON.parse(await Deno.readTextFile(report));
    const expected = new Map(
      Object.entries(produced.stations)
        .filter(([, tally]) => tally.turnstiles > 0)
        .map(([station, tally]) => [Number(station), tally.turnstiles]),
    );
    assert.ok(produced.totals.turnstiles > 50_000, `only ${produced.totals.turnstiles} entries`);
    assert.equal(total(expected), produced.totals.turnstiles);
    await waitForTotal(kafka, config, produced.totals.turnstiles, [summary]);
    assertExact(await summaryCounts(kafka, config), expected);
  } finally {
    await summary.kill("SIGTERM");
    await Deno.remove(report);
  }
});

Deno.test("counts stay exact after the summary is killed with SIGKILL mid-run, repeatedly", async () => {
  const { config, kafka, env } = setup();
  const registry = createRegistry(config.registry);
  const expected = new Map<number, number>();
  let stage = startStage(SUMMARY, [], env);
  let kills = 0;
  try {
    // Events keep arriving while the summary is killed and restarted between chunks.
    for (let chunk = 0; chunk < 8; chunk++) {
      const entries = entriesPerStation(25_000 + chunk * 1_000);
      await produceTurnstiles(kafka, registry, config, entries);
      for (const [station, n] of entries) expected.set(station, (expected.get(station) ?? 0) + n);
      if (chunk % 2 === 1) {
        await waitFor(
          async () => {
            const topics = await listTopics(kafka);
            return topics.includes(config.topics.turnstileSummary) &&
              total(await summaryCounts(kafka, config)) > 0;
          },
          60_000,
          "committed counts",
        );
        await stage.kill("SIGKILL");
        kills++;
        stage = startStage(SUMMARY, [], env);
      }
    }
    await waitForTotal(kafka, config, total(expected), [stage]);
    assertExact(await summaryCounts(kafka, config), expected);
    assert.equal(kills, 4);
  } finally {
    await stage.kill("SIGTERM");
  }
});

Deno.test("two summary instances share six partitions and the totals stay exact", async () => {
  const { config, kafka, env } = setup(6);
  await ensureTopics(kafka, config, [topicSpec(config, "turnstiles")]);
  const first = startStage(SUMMARY, [], env);
  const second = startStage(SUMMARY, [], env);
  try {
    // Both join before the events arrive: producing takes well under a second, and the first
    // instance could otherwise count them all before the second is assigned anything.
    await waitFor(
      () => [first, second].every((stage) => /assigned partitions \[/.test(stage.output())),
      60_000,
      "both summary instances assigned",
    );
    const expected = entriesPerStation(100_000);
    await produceTurnstiles(kafka, createRegistry(config.registry), config, expected);
    await waitForTotal(kafka, config, total(expected), [first, second]);
    assertExact(await summaryCounts(kafka, config), expected);
    // Both did work: each logged its own share of the six partitions.
    for (const stage of [first, second]) {
      const assigned = stage.output().match(/assigned partitions \[([\d, ]*)\]/g) ?? [];
      assert.ok(assigned.length > 0, stage.output());
    }
  } finally {
    await Promise.all([first.kill("SIGTERM"), second.kill("SIGTERM")]);
  }
});
