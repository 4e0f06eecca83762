/**
 * The stations stage against the real stack. The first tests feed a namespaced input in
 * Kafka Connect's format; the last one goes all the way from a PostgreSQL UPDATE through
 * Debezium to the transformed topic.
 */
import assert from "node:assert/strict";
import { postgresClient } from "../lib/postgres.ts";
import { parse } from "csv-parse/sync";
import { ConfigResourceTypes, type Kafka } from "kafkajs";
import { createKafka } from "../lib/kafka.ts";
import {
  DEAD_LETTER_HEADERS,
  deadLetterGroup,
  deadLetterTopic,
} from "../lib/contracts/dead_letters.ts";
import { LINES } from "../lib/contracts/enums.ts";
import { STATIONS as STATIONS_TOPIC } from "../lib/contracts/stations.ts";
import { transformedKey } from "../lib/contracts/stations_transformed.ts";
import { minInsyncReplicas } from "../lib/contracts/topics.ts";
import { deadLetterSpec, ensureTopics, topicSpec } from "../lib/admin.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { type Config, groupId, loadConfig } from "../lib/config.ts";
import { ensureStationsConnector } from "../lib/connector.ts";
import { configFor, freshNamespace, waitFor } from "./helpers/mod.ts";
import { type StageProcess, startStage } from "./helpers/stage.ts";
import { STAGES } from "../lib/stages.ts";
import { parseMetricsWithPrometheusClient } from "./foreign/prometheus.ts";

const STATIONS = STAGES.stations;

const stopKey = (stopId: number) => STATIONS_TOPIC.key.serialize({ stop_id: stopId });

type CsvRow = Record<string, string>;
const csvRows: CsvRow[] = parse(
  Deno.readTextFileSync(new URL("../data/stations.csv", import.meta.url)),
  { columns: true },
);

/** A row as Kafka Connect writes it: flat JSON with typed columns. */
function connectRow(r: CsvRow) {
  return {
    stop_id: Number(r.stop_id),
    direction_id: r.direction_id,
    stop_name: r.stop_name,
    station_name: r.station_name,
    station_descriptive_name: r.station_descriptive_name,
    station_id: Number(r.station_id),
    order: Number(r.order),
    red: r.red === "TRUE",
    blue: r.blue === "TRUE",
    green: r.green === "TRUE",
  };
}

/** The (station_id, line) pairs the data defines. */
function expectedPairs(): Set<string> {
  const pairs = new Set<string>();
  for (const r of csvRows) {
    for (const line of LINES) {
      if (r[line] === "TRUE") pairs.add(`${r.station_id}:${line}`);
    }
  }
  return pairs;
}

interface Transformed {
  records: number;
  latest: Map<string, Record<string, unknown> | null>;
}

async function readTransformed(kafka: Kafka, config: Config): Promise<Transformed> {
  const latest = new Map<string, Record<string, unknown> | null>();
  let records = 0;
  await readToEnd(kafka, config.topics.stationsTransformed, (_p, m) => {
    records++;
    latest.set(m.key!.toString(), m.value ? JSON.parse(m.value.toString()) : null);
  });
  return { records, latest };
}

function livePairs(t: Transformed): Set<string> {
  const pairs = new Set<string>();
  for (const value of t.latest.values()) {
    if (value) pairs.add(`${value.station_id}:${value.line}`);
  }
  return pairs;
}

async function produceRows(
  kafka: Kafka,
  topic: string,
  rows: { key: string; value: string | null }[],
) {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: rows });
  await producer.disconnect();
}

async function runUntil(
  env: Record<string, string>,
  condition: () => Promise<boolean>,
  what: string,
): Promise<StageProcess> {
  const stage = startStage(STATIONS, [], env);
  try {
    await waitFor(condition, 45_000, what);
  } catch (error) {
    await stage.kill("SIGKILL");
    console.error(stage.output());
    throw error;
  }
  return stage;
}

Deno.test("stations transform writes exactly the expected station and line pairs, and a re-run adds nothing", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("stations-test", config.kafka);
  await ensureTopics(kafka, config, [topicSpec(config, "stations")]);
  await produceRows(
    kafka,
    config.topics.stations,
    [
      ...csvRows.map((r) => ({
        key: stopKey(Number(r.stop_id)),
        value: JSON.stringify(connectRow(r)),
      })),
      { key: stopKey(1), value: "{not json" },
    ],
  );
  const env = { TOPIC_NAMESPACE: namespace };
  const expected = expectedPairs();
  assert.equal(expected.size, 33 + 33 + 28);

  let stage = await runUntil(env, async () => {
    return livePairs(await readTransformed(kafka, config)).size >= expected.size;
  }, "the transformed stations");
  assert.equal(await stage.kill("SIGTERM"), 0);
  const first = await readTransformed(kafka, config);
  assert.deepEqual(livePairs(first), expected);
  assert.equal(first.records, expected.size, "one record per station and line");
  const names = [...first.latest.values()].map((v) => v!.station_name);
  assert.ok(names.includes("95th/Dan Ryan") && !names.some((n) => String(n).includes("Ran Ryan")));

  const dead: string[] = [];
  await readToEnd(kafka, deadLetterTopic(config.topics.stations), (_p, m) => {
    dead.push(`${m.headers?.[DEAD_LETTER_HEADERS.reason]} (${deadLetterGroup(m.headers)})`);
  });
  assert.deepEqual(dead, [`value is not JSON (${groupId(config, STATIONS.consumerGroup)})`]);

  // A second run replays the input and must find nothing to write; its metrics say so.
  stage = startStage(STATIONS, [], env);
  await stage.waitReady(45_000);
  const samples = await parseMetricsWithPrometheusClient(
    await (await fetch(`${stage.healthUrl}/metrics`)).text(),
  );
  const value = (name: string) =>
    samples.filter((s) => s.name === name).reduce((total, s) => total + s.value, 0);
  assert.equal(value("cta_records_in_total"), csvRows.length + 1);
  assert.equal(value("cta_records_out_total"), 0);
  assert.equal(value("cta_ready"), 1);
  const lag = samples.filter((s) => s.name === "cta_consumer_lag");
  assert.ok(lag.length > 0, "lag per input partition");
  assert.equal(value("cta_consumer_lag"), 0, "caught up");
  assert.equal(await stage.kill("SIGTERM"), 0);
  assert.equal((await readTransformed(kafka, config)).records, expected.size);
  let deadAfter = 0;
  await readToEnd(kafka, deadLetterTopic(config.topics.stations), () => deadAfter++);
  assert.equal(deadAfter, 1, "the replay does not dead-letter the same record twice");
});

Deno.test("live changes: a renamed stop updates its station, deleting a line's last stop retracts it", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("stations-test", config.kafka);
  await ensureTopics(kafka, config, [topicSpec(config, "stations")]);
  const harlemLake = csvRows.filter((r) => r.station_id === "40020");
  assert.equal(harlemLake.length, 2);
  await produceRows(
    kafka,
    config.topics.stations,
    harlemLake.map((r) => ({
      key: stopKey(Number(r.stop_id)),
      value: JSON.stringify(connectRow(r)),
    })),
  );
  const stage = await runUntil({ TOPIC_NAMESPACE: namespace }, async () => {
    return (await readTransformed(kafka, config)).records === 1;
  }, "Harlem/Lake");
  try {
    const [low, high] = harlemLake.map((r) => Number(r.stop_id)).sort((a, b) => a - b);
    const lowRow = connectRow(harlemLake.find((r) => Number(r.stop_id) === low)!);
    await produceRows(kafka, config.topics.stations, [{
      key: stopKey(low),
      value: JSON.stringify({ ...lowRow, station_name: "Harlem <Lake>" }),
    }]);
    await waitFor(
      async () => (await readTransformed(kafka, config)).records === 2,
      20_000,
      "the rename",
    );
    const renamed = await readTransformed(kafka, config);
    assert.equal([...renamed.latest.values()][0]!.station_name, "Harlem <Lake>");

    await produceRows(kafka, config.topics.stations, [
      { key: stopKey(high), value: null },
    ]);
    await produceRows(kafka, config.topics.stations, [
      { key: stopKey(low), value: null },
    ]);
    await waitFor(
      async () => (await readTransformed(kafka, config)).records === 3,
      20_000,
      "the retraction",
    );
    const retracted = await readTransformed(kafka, config);
    assert.deepEqual([...retracted.latest.values()], [null]);
  } finally {
    await stage.kill("SIGTERM");
  }
});

/** The input partitions a stage owns once it has taken them all over; null while it has not. */
function readyPartitions(stage: StageProcess): number[] | null {
  const text = stage.output();
  const assigned = text.lastIndexOf("stations: assigned input partitions");
  if (assigned < 0) return null;
  const ready = [...text.slice(assigned).matchAll(/ready with input partitions \[([\d, ]*)\]/g)];
  if (ready.length === 0) return null;
  return ready[ready.length - 1][1].split(",").filter((p) => p.trim() !== "").map(Number);
}

/** Both stages own partitions, and between them every input partition exactly once. */
function splitBetween(a: StageProcess, b: StageProcess, partitions: number): boolean {
  const [pa, pb] = [readyPartitions(a), readyPartitions(b)];
  if (!pa || !pb || pa.length === 0 || pb.length === 0) return false;
  const all = [...pa, ...pb].sort((x, y) => x - y);
  return all.length === partitions && all.every((p, i) => p === i);
}

async function countDeadLetters(kafka: Kafka, config: Config): Promise<number> {
  let count = 0;
  await readToEnd(kafka, deadLetterTopic(config.topics.stations), () => count++);
  return count;
}

function stopRows(rows: CsvRow[], rename?: string) {
  return rows.map((r) => ({
    key: stopKey(Number(r.stop_id)),
    value: JSON.stringify({ ...connectRow(r), ...(rename ? { station_name: rename } : {}) }),
  }));
}

Deno.test("two instances in one group share the partitions and write every record once, across rebalances", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("stations-test", config.kafka);
  await ensureTopics(kafka, config, [topicSpec(config, "stations")]);
  await produceRows(kafka, config.topics.stations, [
    ...stopRows(csvRows),
    { key: stopKey(1), value: "{not json" },
  ]);
  const env = { TOPIC_NAMESPACE: namespace };
  const expected = expectedPairs();
  const clarkLake = csvRows.filter((r) => r.station_id === "40380");
  const lines = [...expected].filter((p) => p.startsWith("40380:")).length;
  assert.equal(lines, 2, "Clark/Lake is on two lines");
  const records = async () => (await readTransformed(kafka, config)).records;
  /** /readyz: caught up with the input, following live changes. */
  const caughtUp = async (stage: StageProcess) => {
    const response = await fetch(`${stage.healthUrl}/readyz`).catch(() => null);
    await response?.body?.cancel();
    return response?.ok ?? false;
  };
  /** Renames Clark/Lake; waits until the output has grown by `lines`, then a little longer. */
  const rename = async (name: string, before: number) => {
    await produceRows(kafka, config.topics.stations, stopRows(clarkLake, name));
    await waitFor(async () => await records() >= before + lines, 20_000, `the rename to ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const t = await readTransformed(kafka, config);
    assert.equal(t.records, before + lines, `"${name}" written once per line`);
    for (const line of ["blue", "green"] as const) {
      const key = transformedKey(40380, line);
      assert.equal(t.latest.get(key)?.station_name, name);
    }
    return t.records;
  };

  // Started together, both replay the input and both find the output empty.
  let a = startStage(STATIONS, [], env);
  const b = startStage(STATIONS, [], env);
  try {
    await waitFor(
      async () =>
        await caughtUp(a) && await caughtUp(b) &&
        livePairs(await readTransformed(kafka, config)).size === expected.size,
      60_000,
      "both to catch up and the output to be complete",
    );
    assert.equal(await records(), expected.size, "no record written twice");
    // Both follow live changes; each change is written by one of them.
    let total = await rename("Clark & Lake", expected.size);

    await waitFor(() => splitBetween(a, b, config.partitions), 60_000, "both to own partitions");
    assert.equal(await records(), total, "taking partitions over rewrote nothing");
    assert.equal(await countDeadLetters(kafka, config), 1, "one dead letter");

    // A leaves: B takes its partitions over and finds nothing to write.
    assert.equal(await a.kill("SIGTERM"), 0);
    await waitFor(() => readyPartitions(b)?.length === config.partitions, 30_000, "B to own all");
    assert.equal(await records(), total);
    total = await rename("Clark and Lake", total);

    // A joins again and takes partitions back: again nothing is rewritten.
    a = startStage(STATIONS, [], env);
    await waitFor(() => splitBetween(a, b, config.partitions), 60_000, "the partitions to split");
    assert.equal(await records(), total);
    total = await rename("Clark-Lake", total);
    assert.equal(await a.kill("SIGTERM"), 0);
    assert.equal(await b.kill("SIGTERM"), 0);

    const last = await readTransformed(kafka, config);
    assert.equal(last.records, expected.size + 3 * lines);
    assert.deepEqual(livePairs(last), expected);
    assert.equal(await countDeadLetters(kafka, config), 1, "the dead letter was written once");
  } catch (error) {
    console.error(`--- A ---\n${a.output()}\n--- B ---\n${b.output()}`);
    throw error;
  } finally {
    await Promise.all([a.kill("SIGKILL"), b.kill("SIGKILL")]);
  }
});

/** The stage's output has one failure line, matching `reason`, and no stack trace. */
function assertFailedOnce(stage: StageProcess, reason: RegExp) {
  const lines = stage.output().split("\n");
  const failures = lines.filter((l) => l.startsWith("stations: failed:"));
  assert.equal(failures.length, 1, stage.output());
  assert.match(failures[0], reason);
  assert.ok(!lines.some((l) => /^\s+at |Uncaught/.test(l)), stage.output());
}

/**
 * Small enough to refuse any record batch of the stage (about 180 bytes and more), large enough
 * for the 78-byte transaction markers: a broker that cannot write a marker leaves the
 * transaction stuck for good.
 */
const REFUSING_MAX_MESSAGE_BYTES = 100;

async function setMaxMessageBytes(
  kafka: Kafka,
  config: Config,
  topic: string,
  compacted: boolean,
  bytes?: number,
) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // alterConfigs replaces every dynamic setting of the topic, so the others are repeated.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{
        type: ConfigResourceTypes.TOPIC,
        name: topic,
        configEntries: [
          { name: "cleanup.policy", value: compacted ? "compact" : "delete" },
          {
            name: "min.insync.replicas",
            value: String(minInsyncReplicas(config.replicationFactor)),
          },
          ...(bytes === undefined ? [] : [{ name: "max.message.bytes", value: String(bytes) }]),
        ],
      }],
    });
  } finally {
    await admin.disconnect();
  }
}

Deno.test("a write the broker refuses ends the stage with one line and exit code 1, not a hang", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("stations-test", config.kafka);
  const dlq = deadLetterSpec(config, "stations");
  await ensureTopics(kafka, config, [
    topicSpec(config, "stations"),
    topicSpec(config, "stationsTransformed"),
    dlq,
  ]);
  const harlemLake = csvRows.filter((r) => r.station_id === "40020");
  await produceRows(kafka, config.topics.stations, stopRows(harlemLake));
  const env = { TOPIC_NAMESPACE: namespace };
  const output = config.topics.stationsTransformed;

  // A live change that cannot be written to the output.
  let stage = await runUntil(
    env,
    async () => (await readTransformed(kafka, config)).records === 1,
    "Harlem/Lake",
  );
  await stage.waitReady(30_000);
  await setMaxMessageBytes(kafka, config, output, true, REFUSING_MAX_MESSAGE_BYTES);
  await produceRows(kafka, config.topics.stations, stopRows(harlemLake, "Harlem (Lake)"));
  assert.equal(await stage.exitWithin(45_000), 1);
  assertFailedOnce(stage, /writing .*stations\.transformed.*larger than the max message size/);

  // A dead letter, read while the stage replays its input, that cannot be written.
  await setMaxMessageBytes(kafka, config, output, true);
  await setMaxMessageBytes(kafka, config, dlq.topic, false, REFUSING_MAX_MESSAGE_BYTES);
  await produceRows(kafka, config.topics.stations, [
    { key: stopKey(1), value: "{not json" },
  ]);
  stage = startStage(STATIONS, [], env);
  assert.equal(await stage.exitWithin(45_000), 1);
  assertFailedOnce(stage, /writing .*stations\.dlq.*larger than the max message size/);

  // Once the broker accepts the writes, a new run writes what the failed ones could not.
  await setMaxMessageBytes(kafka, config, dlq.topic, false);
  stage = await runUntil(
    env,
    async () =>
      (await readTransformed(kafka, config)).records === 2 &&
      await countDeadLetters(kafka, config) === 1,
    "the rename and the dead letter",
  );
  assert.equal(await stage.kill("SIGTERM"), 0);
  const t = await readTransformed(kafka, config);
  assert.equal(t.records, 2);
  assert.equal([...t.latest.values()][0]?.station_name, "Harlem (Lake)");
  assert.equal(await countDeadLetters(kafka, config), 1);
});

Deno.test("a write that keeps failing is retried, then ends the stage with one line", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("stations-test", config.kafka);
  await ensureTopics(kafka, config, [topicSpec(config, "stations")]);
  const harlemLake = csvRows.filter((r) => r.station_id === "40020");
  await produceRows(kafka, config.topics.stations, stopRows(harlemLake));
  const stage = await runUntil(
    { TOPIC_NAMESPACE: namespace },
    async () => (await readTransformed(kafka, config)).records === 1,
    "Harlem/Lake",
  );
  await stage.waitReady(30_000);
  // The broker creates no topics by itself, so every write to the output fails from now on.
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [config.topics.stationsTransformed] });
    await waitFor(
      async () => !(await admin.listTopics()).includes(config.topics.stationsTransformed),
      20_000,
      "the output to be deleted",
    );
  } finally {
    await admin.disconnect();
  }
  await produceRows(kafka, config.topics.stations, stopRows(harlemLake, "Harlem (Lake)"));
  assert.equal(await stage.exitWithin(90_000), 1);
  assertFailedOnce(stage, /stations\.transformed/);
});

Deno.test("a broker that cannot be reached ends the stage with one line and exit code 1", async () => {
  const stage = startStage(STATIONS, [], {
    TOPIC_NAMESPACE: freshNamespace(),
    KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:1",
  });
  assert.equal(await stage.exitWithin(90_000), 1);
  assertFailedOnce(stage, /127\.0\.0\.1:1/);
});

Deno.test("a station renamed in PostgreSQL reaches the transformed topic through Debezium", async () => {
  const config = loadConfig();
  const kafka = createKafka("stations-test", config.kafka);
  await ensureStationsConnector(config);
  const stage = startStage(STATIONS, [], {});
  const sql = postgresClient(config.postgres, { max: 1 });
  const rows = await sql`
    SELECT stop_id, station_name FROM stations WHERE station_id = 40380 AND blue ORDER BY stop_id`;
  const original = rows[0].station_name as string;
  const renamed = `Clark/Lake ${crypto.randomUUID().slice(0, 6)}`;
  try {
    await stage.waitReady(45_000);
    await sql`UPDATE stations SET station_name = ${renamed} WHERE station_id = 40380`;
    await waitFor(
      async () => {
        const t = await readTransformed(kafka, config);
        const clarkLake = t.latest.get(transformedKey(40380, "blue"));
        return clarkLake?.station_name === renamed;
      },
      30_000,
      "the renamed station",
    );
    const t = await readTransformed(kafka, config);
    assert.equal(
      t.latest.get(transformedKey(40380, "green"))?.station_name,
      renamed,
    );
    assert.deepEqual(livePairs(t), expectedPairs());
  } finally {
    await sql`UPDATE stations SET station_name = ${original} WHERE station_id = 40380`;
    await waitFor(
      async () => {
        const t = await readTransformed(kafka, config);
        return t.latest.get(transformedKey(40380, "blue"))?.station_name ===
          original;
      },
      30_000,
      "the name to be restored",
    ).finally(async () => {
      await sql.end();
      await stage.kill("SIGTERM");
    });
  }
});
