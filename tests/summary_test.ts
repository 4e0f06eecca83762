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
import {
  DEAD_LETTER_HEADERS,
  deadLetterGroup,
  deadLetterTopic,
} from "../lib/contracts/dead_letters.ts";
import { type Config, groupId } from "../lib/config.ts";
import { parseSummaryValue } from "../lib/contracts/turnstile_summary.ts";
import { configFor, freshNamespace, waitFor } from "./helpers/mod.ts";
import { sendSignal, type StageProcess, startStage } from "./helpers/stage.ts";
import { STAGES } from "../lib/stages.ts";
import { readMetric } from "../lib/metrics.ts";
import { entriesPerStation, produceTurnstiles } from "./turnstile_fixture.ts";
import { pidFile } from "../stack/service.ts";
import { loadStackSettings } from "../stack/settings.ts";
import { readPid } from "../stack/process.ts";
import { produceWithLibrdkafka } from "./foreign/mod.ts";

const SUMMARY = STAGES.summary;

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

    const dead: { value: string | null; reason: string; group: string | null }[] = [];
    await readToEnd(kafka, deadLetterTopic(config.topics.turnstiles), (_p, m) => {
      dead.push({
        value: m.value?.toString() ?? null,
        reason: String(m.headers?.[DEAD_LETTER_HEADERS.reason] ?? ""),
        group: deadLetterGroup(m.headers),
      });
    });
    assert.equal(dead.length, 3);
    assert.ok(dead.every((d) => d.group === groupId(config, SUMMARY.consumerGroup)));
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
    const simulation = startStage(STAGES.simulate, [
      "--steps=108",
      "--step-seconds=0",
      "--seed=20181001",
      "--start=2018-10-01",
      "--no-weather",
      "--no-connector",
      `--report=${report}`,
    ], env);
    assert.equal(await simulation.exitWithin(180_000), 0, simulation.output());
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
    await Promise.all([first.waitReady(), second.waitReady()]);
    const expected = entriesPerStation(100_000);
    await produceTurnstiles(kafka, createRegistry(config.registry), config, expected);
    await waitForTotal(kafka, config, total(expected), [first, second]);
    assertExact(await summaryCounts(kafka, config), expected);
    // Both did work: each committed transactions of its own.
    for (const stage of [first, second]) {
      assert.match(stage.output(), /ready at offset/, stage.output());
    }
  } finally {
    await Promise.all([first.kill("SIGTERM"), second.kill("SIGTERM")]);
  }
});

const ROOT = new URL("../", import.meta.url).pathname;

/** Every summary record, per station: the partitions it was written to and its latest count. */
async function summaryRows(kafka: Kafka, config: Config) {
  const rows = new Map<number, { partitions: Set<number>; count: number }>();
  await readToEnd(kafka, config.topics.turnstileSummary, (partition, message) => {
    const summary = parseSummaryValue(message.value?.toString() ?? null);
    if (!summary) return;
    const row = rows.get(summary.STATION_ID) ?? { partitions: new Set(), count: 0 };
    row.partitions.add(partition);
    row.count = summary.COUNT;
    rows.set(summary.STATION_ID, row);
  });
  return rows;
}

async function assertOneRowPerStation(kafka: Kafka, config: Config) {
  for (const [station, row] of await summaryRows(kafka, config)) {
    assert.equal(row.partitions.size, 1, `station ${station} in partitions ${[...row.partitions]}`);
  }
}

function sum(counts: Map<number, number>, more: Map<number, number>) {
  for (const [station, n] of more) counts.set(station, (counts.get(station) ?? 0) + n);
}

async function deadLetterCount(kafka: Kafka, config: Config): Promise<number> {
  let n = 0;
  await readToEnd(kafka, deadLetterTopic(config.topics.turnstiles), () => n++);
  return n;
}

Deno.test("librdkafka's partitioner and three SIGKILLs: exact counts, one row per station", async () => {
  const { config, kafka, env } = setup();
  await ensureTopics(kafka, config, [topicSpec(config, "turnstiles")]);
  const expected = new Map([40380, 40020, 40170, 40850, 41400, 40900].map((s) => [s, 5_000]));
  let stage = startStage(SUMMARY, [], env);
  try {
    const producing = produceWithLibrdkafka(config, expected, "station", 12);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((r) => setTimeout(r, 3_000));
      await stage.kill("SIGKILL");
      stage = startStage(SUMMARY, [], env);
    }
    const produced = await producing;
    assert.equal(produced.count, 30_000);
    // The seed's keys hash to fewer partitions than stations, and not where kafkajs would.
    assert.ok(Object.keys(produced.partitions).length >= 2, JSON.stringify(produced));
    await waitForTotal(kafka, config, 30_000, [stage]);
    assertExact(await summaryCounts(kafka, config), expected);
    await assertOneRowPerStation(kafka, config);
  } finally {
    await stage.kill("SIGTERM");
  }
});

Deno.test("null keys, timestamp keys and partitions added to the input mid-run: exact", async () => {
  const { config, kafka, env } = setup();
  await ensureTopics(kafka, config, [topicSpec(config, "turnstiles")]);
  const stage = startStage(SUMMARY, [], env);
  try {
    const expected = entriesPerStation(12_000, 20);
    await produceWithLibrdkafka(config, expected, "null");
    const admin = kafka.admin();
    await admin.connect();
    await admin.createPartitions({
      topicPartitions: [{ topic: config.topics.turnstiles, count: 5 }],
    });
    await admin.disconnect();
    const more = entriesPerStation(8_000, 20);
    const produced = await produceWithLibrdkafka(config, more, "timestamp");
    sum(expected, more);
    assert.ok(
      Object.keys(produced.partitions).some((p) => Number(p) >= 3),
      `nothing reached the new partitions: ${JSON.stringify(produced)}`,
    );
    await waitForTotal(kafka, config, total(expected), [stage]);
    assertExact(await summaryCounts(kafka, config), expected);
    await assertOneRowPerStation(kafka, config);
    assert.equal(await deadLetterCount(kafka, config), 0);
  } finally {
    await stage.kill("SIGTERM");
  }
});

Deno.test("10,000 garbage records at once all reach the DLQ and the counts stay exact", async () => {
  const { config, kafka, env } = setup();
  const registry = createRegistry(config.registry);
  const expected = entriesPerStation(5_000);
  await produceTurnstiles(kafka, registry, config, expected);
  const producer = kafka.producer();
  await producer.connect();
  const garbage = Array.from({ length: 10_000 }, (_, i) => ({
    key: `junk-${i}`,
    value: Buffer.from(`not avro ${i} `.repeat(1 + (i % 7))),
  }));
  await producer.send({ topic: config.topics.turnstiles, acks: -1, messages: garbage });
  // And one close to the broker's message size.
  await producer.send({
    topic: config.topics.turnstiles,
    acks: -1,
    messages: [{ key: "big", value: Buffer.alloc(1_000_000, 1) }],
  });
  await producer.disconnect();
  const more = entriesPerStation(2_000);
  await produceTurnstiles(kafka, registry, config, more);
  sum(expected, more);
  const stage = startStage(SUMMARY, [], env);
  try {
    await waitForTotal(kafka, config, total(expected), [stage]);
    assertExact(await summaryCounts(kafka, config), expected);
    await waitFor(
      async () => await deadLetterCount(kafka, config) >= 10_001,
      60_000,
      "10,001 dead letters",
    );
    assert.equal(await deadLetterCount(kafka, config), 10_001);
  } finally {
    assert.equal(await stage.kill("SIGTERM"), 0);
  }
});

Deno.test("an instance paused past its session timeout rejoins: exact counts, no stall", async () => {
  const { config, kafka, env } = setup();
  const registry = createRegistry(config.registry);
  await ensureTopics(kafka, config, [topicSpec(config, "turnstiles")]);
  const first = startStage(SUMMARY, [], env);
  const second = startStage(SUMMARY, [], env);
  try {
    await Promise.all([first.waitReady(), second.waitReady()]);
    const expected = entriesPerStation(20_000);
    await produceTurnstiles(kafka, registry, config, expected);
    await sendSignal(first.pid, "SIGSTOP");
    const during = entriesPerStation(20_000);
    await produceTurnstiles(kafka, registry, config, during);
    sum(expected, during);
    // Past the 10 s session timeout: the group hands everything to the other instance.
    await new Promise((r) => setTimeout(r, 15_000));
    await sendSignal(first.pid, "SIGCONT");
    const after = entriesPerStation(20_000);
    await produceTurnstiles(kafka, registry, config, after);
    sum(expected, after);
    await waitForTotal(kafka, config, total(expected), [first, second]);
    assertExact(await summaryCounts(kafka, config), expected);
    // The resumed instance takes part again.
    const joins = async () => await readMetric(first.healthUrl, "cta_group_joins_total") ?? 0;
    await waitFor(async () => await joins() >= 2, 60_000, "the paused instance to rejoin");
    const more = entriesPerStation(5_000);
    await produceTurnstiles(kafka, registry, config, more);
    sum(expected, more);
    await waitForTotal(kafka, config, total(expected), [first, second]);
    assertExact(await summaryCounts(kafka, config), expected);
  } finally {
    await sendSignal(first.pid, "SIGCONT").catch(() => {});
    await Promise.all([first.kill("SIGTERM"), second.kill("SIGTERM")]);
  }
});

Deno.test("the registry down for 30 s: nothing reaches the DLQ, the counts are exact", async () => {
  const { config, kafka, env } = setup();
  const expected = entriesPerStation(10_000);
  await produceTurnstiles(kafka, createRegistry(config.registry), config, expected);
  const settings = loadStackSettings(ROOT);
  const pid = await readPid(pidFile(settings, "registry"));
  assert.ok(pid, "the stack's registry is not running");
  await sendSignal(pid, "SIGKILL");
  // A fresh instance knows no schema: it must wait for the registry, not blame the records.
  const stage = startStage(SUMMARY, [], env);
  try {
    await new Promise((r) => setTimeout(r, 30_000));
    assert.equal(total(await summaryCounts(kafka, config)), 0);
    const up = await new Deno.Command("deno", {
      args: ["run", "-P=stack", "stack/main.ts", "up", "registry"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(up.code, 0, new TextDecoder().decode(up.stderr));
    await waitForTotal(kafka, config, total(expected), [stage]);
    assertExact(await summaryCounts(kafka, config), expected);
    assert.equal(await deadLetterCount(kafka, config), 0);
    assert.match(stage.output(), /registry unavailable/);
  } finally {
    await stage.kill("SIGTERM");
  }
});

Deno.test("deleted group offsets count nothing twice; a new group refuses with one line", async () => {
  const { config, kafka, env } = setup();
  const registry = createRegistry(config.registry);
  const expected = entriesPerStation(20_000);
  await produceTurnstiles(kafka, registry, config, expected);
  let stage = startStage(SUMMARY, [], env);
  try {
    await waitForTotal(kafka, config, total(expected), [stage]);
    assert.equal(await stage.kill("SIGTERM"), 0);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([
      `${config.namespace}turnstile-summary`,
      `${config.namespace}turnstile-summary-counts`,
    ]);
    await admin.disconnect();
    const more = entriesPerStation(5_000);
    await produceTurnstiles(kafka, registry, config, more);
    sum(expected, more);
    stage = startStage(SUMMARY, [], env);
    await waitForTotal(kafka, config, total(expected), [stage]);
    // Settled: nothing more arrives on top of the exact total.
    await new Promise((r) => setTimeout(r, 3_000));
    assertExact(await summaryCounts(kafka, config), expected);
  } finally {
    await stage.kill("SIGTERM");
  }
  const stranger = startStage(SUMMARY, ["--group", "another-group"], env);
  assert.equal(await stranger.exitWithin(60_000), 2, stranger.output());
  const errors = stranger.output().split("\n").filter((l) => l.startsWith("summary: "));
  assert.ok(errors.some((l) => /already holds counts, but group .*another-group/.test(l)));
  assertExact(await summaryCounts(kafka, config), expected);
});
