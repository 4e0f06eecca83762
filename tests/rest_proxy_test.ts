/**
 * The REST proxy against the real stack (Kafka 9092, registry 8081):
 *   deno test -P tests/rest_proxy_test.ts
 */
import assert from "node:assert/strict";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { type Config, loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { createRegistry } from "../lib/registry.ts";
import { subject, topicsIn } from "../lib/contracts/topics.ts";
import { WEATHER } from "../lib/contracts/weather.ts";
import type { Producer, ProducerRecord } from "kafkajs";
import kafkajs from "kafkajs";
import type { ProxySettings } from "../rest_proxy/app.ts";
import { RestError } from "../rest_proxy/errors.ts";
import type { KafkaTopicSinkOptions, ProducerFactory } from "../rest_proxy/kafka_sink.ts";
import { RegistrySchemaStore } from "../rest_proxy/schema_store.ts";
import { readRecords, type RunningProxy, startProxy } from "../rest_proxy/test_server.ts";
import { consumeAll, waitFor } from "./helpers/mod.ts";
import { denoArgs, STAGES } from "../lib/stages.ts";

const AVRO = "application/vnd.kafka.avro.v2+json";
const BINARY = "application/vnd.kafka.binary.v2+json";
const JSON_TYPE = "application/vnd.kafka.json.v2+json";

interface ProduceAnswer {
  key_schema_id: number | null;
  value_schema_id: number | null;
  offsets: Array<{ partition: number; offset: number; error_code: number | null }>;
  error_code?: number;
}

/** A config whose topics live under a fresh namespace; `variant` separates tests' topics. */
function isolatedConfig(variant: string): Config {
  return {
    ...loadConfig(),
    topics: topicsIn(`test-${crypto.randomUUID().slice(0, 8)}.${variant}.`),
  };
}

async function post(
  proxy: RunningProxy,
  topic: string,
  contentType: string,
  body: unknown,
): Promise<{ status: number; body: ProduceAnswer }> {
  const response = await fetch(`${proxy.url}/topics/${topic}`, {
    method: "POST",
    headers: { "Content-Type": contentType, Accept: "application/vnd.kafka.v2+json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function deleteSubjects(config: Config, topics: string[]): Promise<void> {
  const headers = config.registry.basicAuth
    ? { Authorization: `Basic ${btoa(config.registry.basicAuth)}` }
    : undefined;
  for (const topic of topics) {
    for (const part of ["key", "value"] as const) {
      await fetch(`${config.registry.url}/subjects/${subject(topic, part)}`, {
        method: "DELETE",
        headers,
      }).then((r) => r.body?.cancel()).catch(() => {});
    }
  }
}

async function cleanUp(config: Config, topics: string[]): Promise<void> {
  const admin = createKafka("rest-proxy-test-cleanup", config.kafka).admin();
  await admin.connect();
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
  await deleteSubjects(config, topics);
}

async function withProxy(
  variant: string,
  test: (proxy: RunningProxy, config: Config, topic: string) => Promise<void>,
  settings: Partial<ProxySettings> = {},
  sinkOptions: KafkaTopicSinkOptions = {},
): Promise<void> {
  const config = isolatedConfig(variant);
  const topic = config.topics.weather;
  await ensureTopics(createKafka("rest-proxy-test-setup", config.kafka), config, [
    topicSpec(config, "weather"),
  ]);
  const proxy = await startProxy(config, settings, sinkOptions);
  try {
    await test(proxy, config, topic);
  } finally {
    await proxy.close();
    await cleanUp(config, [topic]);
  }
}

const integration = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "an avro weather record posts, registers its schemas and reads back",
  integration,
  () =>
    withProxy("avro", async (proxy, config, topic) => {
      const reading = {
        key: { timestamp: 1_700_000_000_000 },
        value: { temperature: 38.5, status: "windy" },
      };
      const answer = await post(proxy, topic, AVRO, {
        key_schema: WEATHER.key.schema.text,
        value_schema: WEATHER.value.schema.text,
        records: [reading],
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(typeof answer.body.key_schema_id, "number");
      assert.equal(typeof answer.body.value_schema_id, "number");
      assert.equal(answer.body.offsets.length, 1);
      assert.equal(answer.body.offsets[0].offset, 0);
      assert.equal(answer.body.offsets[0].error_code, null);

      // The same value schema by id: no schema text, the same id in the answer.
      const byId = await post(proxy, topic, AVRO, {
        value_schema_id: answer.body.value_schema_id,
        records: [{ value: { temperature: 12, status: "sunny" } }],
      });
      assert.equal(byId.status, 200, JSON.stringify(byId.body));
      assert.equal(byId.body.value_schema_id, answer.body.value_schema_id);
      assert.equal(byId.body.key_schema_id, null);

      const records = await readRecords(config, topic, 2);
      assert.equal(records.length, 2);
      const registry = createRegistry(config.registry);
      const first = records.find((r) => r.key !== null)!;
      assert.deepEqual({ ...await registry.decode(first.key!) }, reading.key);
      assert.deepEqual({ ...await registry.decode(first.value!) }, reading.value);
      assert.equal(first.value![0], 0);
      assert.equal(first.value!.readUInt32BE(1), answer.body.value_schema_id);
      const second = records.find((r) => r.key === null)!;
      assert.deepEqual({ ...await registry.decode(second.value!) }, {
        temperature: 12,
        status: "sunny",
      });
    }),
);

Deno.test(
  "binary records keep their bytes, keys and chosen partitions",
  integration,
  () =>
    withProxy("binary", async (proxy, config, topic) => {
      const bytes = [new Uint8Array([0, 1, 2, 255]), new TextEncoder().encode("é and 🚆")];
      const toBase64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
      const answer = await post(proxy, topic, BINARY, {
        records: [
          {
            key: toBase64(new TextEncoder().encode("k0")),
            value: toBase64(bytes[0]),
            partition: 1,
          },
          { value: toBase64(bytes[1]), partition: 1 },
        ],
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(answer.body.offsets.map((o) => [o.partition, o.offset]), [[1, 0], [1, 1]]);
      assert.equal(answer.body.value_schema_id, null);
      const records = await readRecords(config, topic, 2);
      records.sort((a, b) => Number(a.offset) - Number(b.offset));
      assert.deepEqual(new Uint8Array(records[0].value!), bytes[0]);
      assert.equal(records[0].key!.toString(), "k0");
      assert.deepEqual(new Uint8Array(records[1].value!), bytes[1]);
      assert.equal(records[1].key, null);
    }),
);

Deno.test(
  "json records arrive as their JSON text; 10,000 records in one request",
  integration,
  () =>
    withProxy("json", async (proxy, config, topic) => {
      const value = { station: "Clark/Lake", lines: ["blue", "green"], n: 1.5, ok: true };
      const answer = await post(proxy, topic, JSON_TYPE, { records: [{ key: 40380, value }] });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const [record] = await readRecords(config, topic, 1);
      assert.deepEqual(JSON.parse(record.value!.toString()), value);
      assert.equal(record.key!.toString(), "40380");

      const many = Array.from({ length: 10_000 }, (_, i) => ({ key: i % 97, value: { i } }));
      const bulk = await post(proxy, topic, JSON_TYPE, { records: many });
      assert.equal(bulk.status, 200);
      assert.equal(bulk.body.offsets.length, 10_000);
      assert.ok(bulk.body.offsets.every((o) => o.error_code === null));
      // Offsets are distinct and dense per partition: the topic now holds exactly 10,001 records.
      const highest = new Map<number, number>();
      for (const o of [...answer.body.offsets, ...bulk.body.offsets]) {
        highest.set(o.partition, Math.max(highest.get(o.partition) ?? -1, o.offset));
      }
      const total = [...highest.values()].reduce((sum, last) => sum + last + 1, 0);
      assert.equal(total, 10_001);
    }),
);

Deno.test(
  "rejected requests write nothing; topics are listed and described",
  integration,
  () =>
    withProxy("rejects", async (proxy, config, topic) => {
      const keySchema = WEATHER.key.schema.text;
      const valueSchema = WEATHER.value.schema.text;
      const rejected: Array<[string, unknown, number]> = [
        [AVRO, {
          value_schema: valueSchema,
          records: [{ value: { temperature: "hot", status: "sunny" } }],
        }, 42203],
        [AVRO, {
          value_schema: valueSchema,
          records: [{ value: { temperature: 1, status: "sunny" } }, {
            value: { temperature: 1, status: "hail" },
          }],
        }, 42203],
        [AVRO, {
          key_schema: keySchema,
          value_schema: "{not json",
          records: [{ key: { timestamp: 1 }, value: {} }],
        }, 42205],
        [AVRO, { value_schema_id: 2_000_000_000, records: [{ value: {} }] }, 42205],
        [
          BINARY,
          { records: [{ value: "AA==" }, { value: "AA==", partition: config.partitions }] },
          40402,
        ],
        [BINARY, { records: [{ value: "AA==" }, { value: "not base64" }] }, 422],
        [JSON_TYPE, { records: [] }, 422],
      ];
      for (const [type, body, code] of rejected) {
        const answer = await post(proxy, topic, type, body);
        assert.equal(answer.body.error_code, code, JSON.stringify(answer.body));
        assert.ok(answer.status >= 400 && answer.status < 500);
      }
      // A failed avro conversion registers nothing.
      const subjects = await fetch(`${config.registry.url}/subjects`).then((r) => r.json());
      assert.ok(!subjects.includes(subject(topic, "value")), JSON.stringify(subjects));

      const missing = await post(proxy, `${topic}.missing`, JSON_TYPE, { records: [{ value: 1 }] });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error_code, 40401);

      const sentinel = await post(proxy, topic, JSON_TYPE, { records: [{ value: "sentinel" }] });
      assert.equal(sentinel.status, 200);
      const records = await readRecords(config, topic, 1);
      assert.deepEqual(records.map((r) => r.value!.toString()), ['"sentinel"']);

      const listed = await fetch(`${proxy.url}/topics`).then((r) => r.json());
      assert.ok(listed.includes(topic));
      assert.ok(!listed.includes(`${topic}.missing`));
      const described = await fetch(`${proxy.url}/topics/${topic}`).then((r) => r.json());
      assert.equal(described.name, topic);
      assert.equal(described.partitions.length, config.partitions);
    }),
);

Deno.test("schema registrations are cached per subject and schema text", integration, async () => {
  const config = isolatedConfig("schemas");
  const topic = config.topics.weather;
  const store = new RegistrySchemaStore(config.registry);
  const valueSchema = WEATHER.value.schema.text;
  try {
    const id = await store.register(subject(topic, "value"), valueSchema);
    assert.equal(await store.schemaById(id), valueSchema);
    // Gone from the registry, still known to the store: the second call does not ask again.
    await deleteSubjects(config, [topic]);
    assert.equal(await store.register(subject(topic, "value"), valueSchema), id);
    const subjects = await fetch(`${config.registry.url}/subjects`).then((r) => r.json());
    assert.ok(!subjects.includes(subject(topic, "value")));
    // A fresh store does ask, and the registry answers the same content id.
    assert.equal(
      await new RegistrySchemaStore(config.registry).register(subject(topic, "value"), valueSchema),
      id,
    );
    await assert.rejects(
      new RegistrySchemaStore(config.registry).schemaById(2_000_000_001),
      (error: RestError) => error.errorCode === 42205,
    );
  } finally {
    await deleteSubjects(config, [topic]);
  }
});

Deno.test(
  "concurrent requests all land, with distinct offsets",
  integration,
  () =>
    withProxy("concurrent", async (proxy, config, topic) => {
      const requests = 20;
      const perRequest = 50;
      const answers = await Promise.all(
        Array.from({ length: requests }, (_, r) =>
          post(proxy, topic, JSON_TYPE, {
            records: Array.from({ length: perRequest }, (_, i) => ({ key: i, value: { r, i } })),
          })),
      );
      const seen = new Set<string>();
      for (const answer of answers) {
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        for (const o of answer.body.offsets) {
          assert.equal(o.error_code, null);
          seen.add(`${o.partition}:${o.offset}`);
        }
      }
      assert.equal(seen.size, requests * perRequest);
      const records = await readRecords(config, topic, requests * perRequest);
      assert.equal(records.length, requests * perRequest);
    }),
);

Deno.test("the service logs its address and stops cleanly on SIGTERM", integration, async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const child = new Deno.Command("deno", {
    args: denoArgs(STAGES.restProxy),
    cwd: new URL("..", import.meta.url),
    env: {
      REST_PROXY_PORT: String(port),
      REST_PROXY_HOST: "127.0.0.1",
      REST_PROXY_MAX_PENDING_REQUESTS: "7",
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  while (!output.includes("listening on")) {
    const { done, value } = await lines.read();
    if (done) break;
    output += value;
  }
  assert.match(output, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}`));
  assert.match(output, /"maxPendingRequests":7/);
  const topics = await fetch(`http://127.0.0.1:${port}/topics`);
  assert.equal(topics.status, 200);
  assert.ok(Array.isArray(await topics.json()));
  child.kill("SIGTERM");
  while (true) {
    const { done, value } = await lines.read();
    if (done) break;
    output += value;
  }
  const status = await child.status;
  assert.equal(status.code, 0);
  assert.match(output, /stopped/);
});

Deno.test(
  "a deleted topic the proxy wrote to does not stop it writing to another",
  integration,
  () =>
    withProxy("deleted", async (proxy, config, topic) => {
      const record = { records: [{ value: "b25l" }] };
      await writeThenDeleteTopic(proxy, config, `${topic}.doomed`);

      const answer = await post(proxy, topic, BINARY, record);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.offsets[0].error_code, null, JSON.stringify(answer.body));
      assert.equal((await readRecords(config, topic, 1)).length, 1);
    }),
);

/** Producers from `factory` whose sends first pass through `around` (recording, stalling). */
function wrapSends(
  around: (record: ProducerRecord, send: Producer["send"]) => ReturnType<Producer["send"]>,
): (factory: ProducerFactory) => ProducerFactory {
  return (factory) => async () => {
    const producer = await factory();
    const send = producer.send.bind(producer);
    producer.send = (record) => around(record, send);
    return producer;
  };
}

Deno.test(
  "a replacement producer that cannot connect is retried until it does, without a restart",
  integration,
  async () => {
    let calls = 0;
    let kafkaReachable = true;
    const sinkOptions: KafkaTopicSinkOptions = {
      wrapProducerFactory: (factory) => () => {
        calls++;
        if (!kafkaReachable) {
          return Promise.reject(
            new kafkajs.KafkaJSConnectionError("connect ECONNREFUSED (injected)"),
          );
        }
        return factory();
      },
      reconnectBackoff: { initialMs: 20, maxMs: 100 },
      producerWaitMs: 500,
    };
    await withProxy(
      "reconnect",
      async (proxy, config, topic) => {
        const record = { records: [{ value: "b25l" }] };
        await writeThenDeleteTopic(proxy, config, `${topic}.doomed`);
        assert.equal(calls, 1);

        // The deleted topic makes the proxy replace its producer, and the new one cannot connect.
        kafkaReachable = false;
        const during = await post(proxy, topic, BINARY, record);
        assert.equal(during.status, 200, JSON.stringify(during.body));
        assert.equal(during.body.offsets[0].error_code, 50003, JSON.stringify(during.body));
        const failedSoFar = calls;
        await waitFor(() => calls >= failedSoFar + 2, 5_000, "further connection attempts");

        kafkaReachable = true;
        let answer = await post(proxy, topic, BINARY, record);
        await waitFor(
          async () => {
            if (answer.body.offsets[0].error_code === null) return true;
            answer = await post(proxy, topic, BINARY, record);
            return false;
          },
          10_000,
          "a write after Kafka is reachable again",
        );
        assert.equal(answer.status, 200);
        assert.ok(calls > failedSoFar + 2, `${calls} attempts to connect`);
        assert.equal((await readRecords(config, topic, 1)).length, 1);
      },
      {},
      sinkOptions,
    );
  },
);

Deno.test(
  "every produce request the proxy sends to Kafka holds one partition",
  integration,
  async () => {
    const partitionsPerSend: number[][] = [];
    const sinkOptions: KafkaTopicSinkOptions = {
      wrapProducerFactory: wrapSends((record, send) => {
        partitionsPerSend.push([...new Set(record.messages.map((m) => m.partition!))]);
        return send(record);
      }),
    };
    await withProxy(
      "per-partition",
      async (proxy, config, topic) => {
        const count = 90;
        const answer = await post(proxy, topic, JSON_TYPE, {
          records: Array.from({ length: count }, (_, i) => ({ key: `station-${i}`, value: { i } })),
        });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        const used = new Set(answer.body.offsets.map((o) => o.partition));
        assert.equal(used.size, config.partitions, "keys spread over every partition");
        assert.ok(partitionsPerSend.length >= used.size);
        for (const partitions of partitionsPerSend) {
          assert.equal(partitions.length, 1, `a send with partitions ${partitions}`);
          assert.equal(typeof partitions[0], "number");
        }

        const kafka = createKafka("rest-proxy-test-per-partition", config.kafka);
        const records = await consumeAll(kafka, topic, { until: (r) => r.length >= count });
        assert.equal(records.length, count);
        // Each record is where the answer says, with the answer's offset.
        const where = new Map(records.map((r) => [JSON.parse(r.value!.toString()).i, r]));
        answer.body.offsets.forEach((o, i) => {
          assert.equal(where.get(i)?.partition, o.partition, `record ${i}`);
          assert.equal(where.get(i)?.offset, String(o.offset), `record ${i}`);
          assert.equal(o.error_code, null);
        });
      },
      {},
      sinkOptions,
    );
  },
);

Deno.test(
  "while Kafka stalls, requests beyond REST_PROXY_MAX_PENDING_REQUESTS get 503 50301",
  integration,
  async () => {
    const kafka = Promise.withResolvers<void>();
    let stalledSends = 0;
    const sinkOptions: KafkaTopicSinkOptions = {
      wrapProducerFactory: wrapSends(async (record, send) => {
        stalledSends++;
        await kafka.promise;
        return send(record);
      }),
    };
    const limit = 4;
    await withProxy(
      "bounded",
      async (proxy, config, topic) => {
        // Released in any case: a stalled request would keep the proxy from shutting down.
        try {
          const answers: Array<{ status: number; body: ProduceAnswer }> = [];
          const requests = Array.from(
            { length: 10 },
            (_, i) =>
              post(proxy, topic, JSON_TYPE, { records: [{ value: { i } }] }).then((answer) => {
                answers.push(answer);
                return answer;
              }),
          );
          await waitFor(() => answers.length >= 10 - limit, 15_000, "the refusals");
          // One send stalls; the other admitted requests wait behind it.
          await waitFor(() => stalledSends === 1, 15_000, "the stalled send");
          assert.equal(answers.length, 10 - limit, "only requests beyond the bound are answered");
          for (const answer of answers) {
            assert.equal(answer.status, 503, JSON.stringify(answer.body));
            assert.equal(answer.body.error_code, 50301);
          }
          const stillFull = await post(proxy, topic, JSON_TYPE, { records: [{ value: "late" }] });
          assert.equal(stillFull.status, 503);

          kafka.resolve();
          const all = await Promise.all(requests);
          const written = all.filter((answer) => answer.status === 200);
          assert.equal(written.length, limit);
          for (const answer of written) assert.equal(answer.body.offsets[0].error_code, null);
          const after = await post(proxy, topic, JSON_TYPE, { records: [{ value: "after" }] });
          assert.equal(after.status, 200, JSON.stringify(after.body));
          assert.equal(stalledSends, limit + 1, "refused requests never reached Kafka");

          const reader = createKafka("rest-proxy-test-bounded", config.kafka);
          const records = await consumeAll(reader, topic, { until: (r) => r.length >= limit + 1 });
          assert.equal(records.length, limit + 1);
        } finally {
          kafka.resolve();
        }
      },
      { maxPendingRequests: limit },
      sinkOptions,
    );
  },
);

/** Writes a record to `doomed` through the proxy, then deletes the topic behind its back. */
async function writeThenDeleteTopic(proxy: RunningProxy, config: Config, doomed: string) {
  const kafka = createKafka("rest-proxy-test-doomed", config.kafka);
  await ensureTopics(kafka, config, [{ topic: doomed }]);
  const written = await post(proxy, doomed, BINARY, { records: [{ value: "b25l" }] });
  assert.equal(written.status, 200);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [doomed] });
  await admin.disconnect();
}
