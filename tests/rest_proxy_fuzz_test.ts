/**
 * Malformed requests against the REST proxy on the real stack: every answer must be a 4xx with
 * a Confluent error body, the proxy must stay up, and the target topic must stay empty.
 *   deno test -P tests/rest_proxy_fuzz_test.ts      (FUZZ_SEED=<n> to replay a run)
 */
import assert from "node:assert/strict";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { subject, topicsIn } from "../lib/contracts/topics.ts";
import { WEATHER } from "../lib/contracts/weather.ts";
import { readRecords, startProxy } from "../rest_proxy/test_server.ts";
import { seeded } from "./helpers/fuzz.ts";

const REQUESTS = 3_000;
const CONCURRENCY = 8;
const MAX_BODY_BYTES = 64 * 1024;
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20_181_001);

const BINARY = "application/vnd.kafka.binary.v2+json";
const JSON_TYPE = "application/vnd.kafka.json.v2+json";
const AVRO = "application/vnd.kafka.avro.v2+json";

type Random = ReturnType<typeof seeded>;

interface FuzzCase {
  kind: string;
  method?: string;
  path?: string;
  contentType?: string;
  body: BodyInit;
}

const NASTY_STRINGS = [
  "",
  "\u0000",
  "🚆🚇",
  "ĉĥĝ",
  "\ud800",
  "'; DROP TABLE stations; --",
  "<script>alert(1)</script>",
  "A".repeat(1000),
  "\\u0000",
  "null",
];
const HUGE_NUMBERS = [1e308, -1e308, 2 ** 53 + 2, 2 ** 31, -1, 1.5, -0.5, 1e-300];

function garbage(random: Random, depth = 0): unknown {
  switch (random.int(depth > 4 ? 4 : 7)) {
    case 0:
      return random.pick(NASTY_STRINGS);
    case 1:
      return random.pick(HUGE_NUMBERS);
    case 2:
      return random.pick([true, false, null]);
    case 3:
      return random.int(1000);
    case 4:
      return Array.from({ length: random.int(4) }, () => garbage(random, depth + 1));
    case 5:
      return Object.fromEntries(
        Array.from(
          { length: random.int(4) },
          () => [random.pick(NASTY_STRINGS), garbage(random, depth + 1)],
        ),
      );
    default: {
      let nested: unknown = garbage(random, 5);
      for (let i = random.int(200); i > 0; i--) nested = [nested];
      return nested;
    }
  }
}

function randomBytes(random: Random, length: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, () => random.int(256));
}

/** A value that is never a padded base64 string. */
function badBase64(random: Random): unknown {
  return random.pick([
    () => random.pick(["AAA", "A===", "!!!!", "AA AA", "é", "====", "AAAAA"]),
    () => btoa("x") + random.pick(NASTY_STRINGS.filter((s) => s !== "")) + "=",
    () => random.pick(HUGE_NUMBERS),
    () => {
      // Garbage strings such as "" or "null" happen to be base64: make them invalid.
      const value = garbage(random, 4) ?? 0;
      return typeof value === "string" ? `${value}!` : value;
    },
    () => ({ base64: "AA==" }),
  ])();
}

/** A weather value that cannot convert to the weather schema. */
function badWeather(random: Random): unknown {
  return random.pick([
    () => ({ temperature: random.pick(NASTY_STRINGS), status: "sunny" }),
    () => ({ temperature: 40, status: random.pick(["hail", "", "SUNNY", "🌧"]) }),
    () => ({ temperature: 40 }),
    () => ({ status: "windy" }),
    () => ({ temperature: { float: 1 }, status: "cloudy" }),
    () => garbage(random, 4) ?? [],
    () => ({ temperature: random.pick([true, [1], {}]), status: "windy", extra: garbage(random) }),
  ])();
}

function generate(
  random: Random,
  topic: string,
  missingTopic: string,
  otherTopic: string,
  partitions: number,
): FuzzCase {
  const keySchema = WEATHER.key.schema.text;
  const valueSchema = WEATHER.value.schema.text;
  const goodBinary = JSON.stringify({ records: [{ value: btoa("ok") }] });
  const path = `/topics/${topic}`;
  const cases: Array<() => FuzzCase> = [
    () => ({
      kind: "random bytes",
      contentType: random.pick([BINARY, JSON_TYPE, AVRO]),
      body: randomBytes(random, 1 + random.int(300)),
    }),
    () => {
      const text = JSON.stringify({
        value_schema: valueSchema,
        records: [{ value: { temperature: 1, status: "sunny" } }],
      });
      return {
        kind: "truncated JSON",
        contentType: random.pick([BINARY, JSON_TYPE, AVRO]),
        body: text.slice(0, random.int(text.length)),
      };
    },
    () => ({
      kind: "wrong records type",
      contentType: random.pick([BINARY, JSON_TYPE, AVRO]),
      body: JSON.stringify({ records: random.pick([null, 0, "records", {}, [], true]) }),
    }),
    () => ({
      kind: "non-object record",
      contentType: random.pick([BINARY, JSON_TYPE, AVRO]),
      body: JSON.stringify({ records: [random.pick([1, "x", null, [], true])] }),
    }),
    () => ({
      kind: "bad body type",
      contentType: random.pick([BINARY, JSON_TYPE, AVRO]),
      body: JSON.stringify(random.pick([[], null, 1, "x", garbage(random, 4)])),
    }),
    () => ({
      kind: "bad partition",
      contentType: random.pick([BINARY, JSON_TYPE]),
      body: JSON.stringify({
        records: [{
          value: btoa("v"),
          partition: random.pick([...HUGE_NUMBERS, "0", [], {}, partitions, partitions + 7]),
        }],
      }),
    }),
    () => ({
      kind: "wrong content type",
      contentType: random.pick([
        undefined,
        "application/json",
        "text/plain",
        "application/vnd.kafka.v2+json",
        "application/vnd.kafka.binary.v1+json",
        "application/vnd.kafka.protobuf.v2+json",
        "multipart/form-data",
        "\u00e9/\u00ff",
      ]),
      body: goodBinary,
    }),
    () => ({
      kind: "bad base64",
      contentType: BINARY,
      body: JSON.stringify({
        records: [{ value: btoa("fine") }, {
          key: random.int(2) ? badBase64(random) : undefined,
          value: badBase64(random),
        }],
      }),
    }),
    () => ({
      kind: "avro value mismatch",
      contentType: AVRO,
      body: JSON.stringify({
        value_schema: valueSchema,
        records: [{ value: { temperature: 1, status: "sunny" } }, { value: badWeather(random) }],
      }),
    }),
    () => ({
      kind: "avro key mismatch",
      contentType: AVRO,
      body: JSON.stringify({
        key_schema: keySchema,
        value_schema: valueSchema,
        records: [{
          key: random.pick([
            { timestamp: "now" },
            { timestamp: 1e300 },
            {},
            garbage(random, 4) ?? "x",
          ]),
          value: { temperature: 1, status: "sunny" },
        }],
      }),
    }),
    () => ({
      kind: "avro schema missing",
      contentType: AVRO,
      body: JSON.stringify(
        random.int(2)
          ? {
            value_schema: valueSchema,
            records: [{ key: { timestamp: 1 }, value: { temperature: 1, status: "sunny" } }],
          }
          : { records: [{ value: { temperature: 1, status: "sunny" } }] },
      ),
    }),
    () => ({
      kind: "avro invalid schema",
      contentType: AVRO,
      body: JSON.stringify({
        value_schema: random.pick([
          "{",
          "int",
          '{"type":"record"}',
          '{"type":"enum","name":"e","symbols":[1]}',
          JSON.stringify(garbage(random, 3)) + "]",
          random.pick(NASTY_STRINGS) || "x",
        ]),
        records: [{ value: 1 }],
      }),
    }),
    () => ({
      kind: "avro schema field types",
      contentType: AVRO,
      body: JSON.stringify({
        value_schema: random.pick([{ type: "int" }, 7, [], true]),
        value_schema_id: random.int(2) ? random.pick(HUGE_NUMBERS) : undefined,
        records: [{ value: 1 }],
      }),
    }),
    () => ({
      kind: "avro unknown schema id",
      contentType: AVRO,
      body: JSON.stringify({
        value_schema_id: 1_900_000_000 + random.int(1000),
        records: [{ value: { temperature: 1, status: "sunny" } }],
      }),
    }),
    () => ({
      kind: "avro schema and id",
      contentType: AVRO,
      body: JSON.stringify({
        value_schema: valueSchema,
        value_schema_id: 1,
        records: [{ value: { temperature: 1, status: "sunny" } }],
      }),
    }),
    () => ({
      kind: "missing topic",
      path: `/topics/${missingTopic}`,
      contentType: random.pick([BINARY, JSON_TYPE]),
      body: goodBinary,
    }),
    () => ({
      kind: "topic not allowed",
      path: `/topics/${otherTopic}`,
      contentType: BINARY,
      body: goodBinary,
    }),
    () => ({
      kind: "illegal topic",
      path: `/topics/${
        encodeURIComponent(random.pick(["🚆", "a b", "..", "x".repeat(300), "a%2Fb"]))
      }`,
      contentType: BINARY,
      body: goodBinary,
    }),
    () => ({
      kind: "oversized",
      contentType: random.pick([BINARY, JSON_TYPE, AVRO]),
      body: JSON.stringify({ records: [{ value: "A".repeat(MAX_BODY_BYTES) }] }),
    }),
    () => ({
      kind: "wrong method",
      method: random.pick(["PUT", "DELETE", "PATCH"]),
      contentType: BINARY,
      body: goodBinary,
    }),
    () => ({
      kind: "wrong path",
      path: random.pick([
        "/",
        "/topics/",
        `/topics/${topic}/partitions/0`,
        "/consumers/g",
        "/v3/clusters",
      ]),
      contentType: BINARY,
      body: goodBinary,
    }),
    () => ({
      kind: "nested garbage",
      contentType: random.pick([BINARY, AVRO]),
      body: JSON.stringify({
        records: [{ value: [[[[garbage(random, 2)]]]], key: garbage(random, 3) }],
      }),
    }),
  ];
  return { path, ...random.pick(cases)() };
}

Deno.test("malformed requests are all 4xx Confluent errors and write nothing", {
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const namespace = `test-${crypto.randomUUID().slice(0, 8)}.`;
  const config = { ...loadConfig(), topics: topicsIn(namespace) };
  const topic = config.topics.weather;
  const kafka = createKafka("rest-proxy-fuzz-setup", config.kafka);
  await ensureTopics(kafka, config, [topicSpec(config, "weather")]);
  const proxy = await startProxy(config, {
    maxBodyBytes: MAX_BODY_BYTES,
    topicAllowList: [`${namespace}*`],
  });
  const random = seeded(SEED);
  const missingTopic = topicsIn(`${namespace}missing.`).weather;
  const otherTopic = topicsIn(`other-${namespace}`).weather;
  const kinds = new Map<string, number>();
  const answers = new Map<string, number>();
  try {
    const cases = Array.from(
      { length: REQUESTS },
      () => generate(random, topic, missingTopic, otherTopic, config.partitions),
    );
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const fuzz = cases[next++];
        const headers: Record<string, string> = fuzz.contentType
          ? { "Content-Type": fuzz.contentType }
          : {};
        const response = await fetch(proxy.url + fuzz.path, {
          method: fuzz.method ?? "POST",
          headers,
          body: fuzz.body,
        });
        const text = await response.text();
        const where = `seed ${SEED}, ${fuzz.kind}: HTTP ${response.status} ${text.slice(0, 300)}`;
        assert.ok(response.status >= 400 && response.status < 500, where);
        const body = JSON.parse(text);
        assert.equal(typeof body.error_code, "number", where);
        assert.equal(typeof body.message, "string", where);
        kinds.set(fuzz.kind, (kinds.get(fuzz.kind) ?? 0) + 1);
        const answer = `${response.status}/${body.error_code}`;
        answers.set(answer, (answers.get(answer) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.equal([...kinds.values()].reduce((a, b) => a + b, 0), REQUESTS);
    console.log(`seed ${SEED}: ${kinds.size} kinds; answers`, Object.fromEntries(answers));

    const topics = await fetch(`${proxy.url}/topics`);
    assert.equal(topics.status, 200);
    assert.ok((await topics.json()).includes(topic));

    // Nothing registered, and the only record the topic ever gets is this sentinel.
    const subjects = await fetch(`${config.registry.url}/subjects`).then((r) => r.json());
    assert.ok(
      !subjects.includes(subject(topic, "value")),
      "a rejected request registered a schema",
    );
    const sentinel = await fetch(`${proxy.url}/topics/${topic}`, {
      method: "POST",
      headers: { "Content-Type": JSON_TYPE },
      body: JSON.stringify({ records: [{ value: "sentinel" }] }),
    });
    assert.equal(sentinel.status, 200);
    await sentinel.body?.cancel();
    const records = await readRecords(config, topic, 1);
    assert.deepEqual(records.map((r) => r.value?.toString()), ['"sentinel"']);
  } finally {
    await proxy.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
