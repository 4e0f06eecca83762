/**
 * The stations stage against the real stack. The first tests feed a namespaced input in
 * Kafka Connect's format; the last one goes all the way from a PostgreSQL UPDATE through
 * Debezium to the transformed topic.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { pgClientConfig } from "../lib/postgres.ts";
import { parse } from "csv-parse/sync";
import type { Kafka } from "kafkajs";
import { createKafka } from "../lib/kafka.ts";
import { deadLetterTopic } from "../lib/topics.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { type Config, loadConfig } from "../lib/config.ts";
import { ensureStationsConnector } from "../lib/connector.ts";
import { configFor, freshNamespace, waitFor } from "./helpers/mod.ts";
import { type StageProcess, startStage } from "./helpers/stage.ts";

const STATIONS = "pipeline/stations.ts";

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
    for (const line of ["red", "blue", "green"]) {
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
        key: JSON.stringify({ stop_id: Number(r.stop_id) }),
        value: JSON.stringify(connectRow(r)),
      })),
      { key: JSON.stringify({ stop_id: 1 }), value: "{not json" },
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
    dead.push(String(m.headers?.reason));
  });
  assert.deepEqual(dead, ["value is not JSON"]);

  // A second run replays the input and must find nothing to write.
  stage = startStage(STATIONS, [], env);
  await waitFor(() => stage.output().includes("caught up"), 45_000, "the second run to catch up");
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
      key: JSON.stringify({ stop_id: Number(r.stop_id) }),
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
      key: JSON.stringify({ stop_id: low }),
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
      { key: JSON.stringify({ stop_id: high }), value: null },
    ]);
    await produceRows(kafka, config.topics.stations, [
      { key: JSON.stringify({ stop_id: low }), value: null },
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

Deno.test("a station renamed in PostgreSQL reaches the transformed topic through Debezium", async () => {
  const config = loadConfig();
  const kafka = createKafka("stations-test", config.kafka);
  await ensureStationsConnector(config);
  const stage = startStage(STATIONS, [], {});
  const db = new pg.Client(pgClientConfig(config.postgres));
  await db.connect();
  const { rows } = await db.query(
    "SELECT stop_id, station_name FROM stations WHERE station_id = 40380 AND blue ORDER BY stop_id",
  );
  const original = rows[0].station_name as string;
  const renamed = `Clark/Lake ${crypto.randomUUID().slice(0, 6)}`;
  try {
    await waitFor(() => stage.output().includes("caught up"), 45_000, "the stage to catch up");
    await db.query("UPDATE stations SET station_name = $1 WHERE station_id = 40380", [renamed]);
    await waitFor(
      async () => {
        const t = await readTransformed(kafka, config);
        const clarkLake = t.latest.get(JSON.stringify({ station_id: 40380, line: "blue" }));
        return clarkLake?.station_name === renamed;
      },
      30_000,
      "the renamed station",
    );
    const t = await readTransformed(kafka, config);
    assert.equal(
      t.latest.get(JSON.stringify({ station_id: 40380, line: "green" }))?.station_name,
      renamed,
    );
    assert.deepEqual(livePairs(t), expectedPairs());
  } finally {
    await db.query("UPDATE stations SET station_name = $1 WHERE station_id = 40380", [original]);
    await waitFor(
      async () => {
        const t = await readTransformed(kafka, config);
        return t.latest.get(JSON.stringify({ station_id: 40380, line: "blue" }))?.station_name ===
          original;
      },
      30_000,
      "the name to be restored",
    ).finally(async () => {
      await db.end();
      await stage.kill("SIGTERM");
    });
  }
});
