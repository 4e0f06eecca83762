import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import type { TopicSink } from "./kafka_sink.ts";
import type { SchemaSource } from "./schema_store.ts";

// Every request here must be rejected before any I/O: these throw if they are reached.
const untouchableSink: TopicSink = new Proxy({} as TopicSink, {
  get: (_target, name) => () => Promise.reject(new Error(`sink.${String(name)} was called`)),
});
const untouchableSchemas: SchemaSource = {
  register: () => Promise.reject(new Error("register was called")),
  schemaById: () => Promise.reject(new Error("schemaById was called")),
};

const app = createApp({
  sink: untouchableSink,
  schemas: untouchableSchemas,
  settings: {
    maxBodyBytes: 1000,
    topicAllowList: ["weather", "test-*"],
    autoCreateTopics: false,
    maxPendingRequests: 4,
  },
});

async function call(path: string, init: RequestInit = {}) {
  const response = await app.request(path, init);
  const body = await response.json();
  return { status: response.status, body, type: response.headers.get("content-type") };
}

const post = (topic: string, contentType: string | undefined, body: BodyInit) =>
  call(`/topics/${topic}`, {
    method: "POST",
    headers: contentType ? { "Content-Type": contentType } : {},
    body,
  });

const BINARY = "application/vnd.kafka.binary.v2+json";
const JSON_TYPE = "application/vnd.kafka.json.v2+json";
const AVRO = "application/vnd.kafka.avro.v2+json";

Deno.test("rejections carry Confluent's status, error_code and the v2 content type", async () => {
  const cases: Array<
    [Promise<{ status: number; body: unknown; type: string | null }>, number, number]
  > = [
    [post("weather", undefined, '{"records":[{"value":"AA=="}]}'), 415, 415],
    [post("weather", "application/json", '{"records":[{"value":"AA=="}]}'), 415, 415],
    [post("weather", BINARY, "x".repeat(1001)), 413, 413],
    [post("weather", BINARY, '{"records": ['), 400, 400],
    [post("weather", BINARY, '{"records": []}'), 422, 422],
    [post("weather", BINARY, '{"records": [{"value": "%%%"}]}'), 422, 422],
    [
      post("weather", AVRO, '{"value_schema":"\\"int\\"","records":[{"key":1,"value":1}]}'),
      422,
      42201,
    ],
    [
      post("weather", AVRO, '{"key_schema":"\\"int\\"","records":[{"key":1,"value":1}]}'),
      422,
      42202,
    ],
    [post("other", BINARY, '{"records":[{"value":"AA=="}]}'), 403, 40301],
    [post("bad%20name", BINARY, '{"records":[{"value":"AA=="}]}'), 404, 40401],
    [call("/topics/weather", { method: "DELETE" }), 405, 405],
    [call("/nowhere"), 404, 404],
  ];
  for (const [pending, status, code] of cases) {
    const answer = await pending;
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal((answer.body as { error_code: number }).error_code, code);
    assert.equal(typeof (answer.body as { message: unknown }).message, "string");
    assert.equal(answer.type, "application/vnd.kafka.v2+json");
  }
});

Deno.test("an unexpected failure is a JSON 500, not a crash", async () => {
  const answer = await call("/topics");
  assert.equal(answer.status, 500);
  assert.equal((answer.body as { error_code: number }).error_code, 50001);
});

Deno.test("while Kafka stalls, requests beyond the bound are refused with 503 50301", async () => {
  const kafka = Promise.withResolvers<void>();
  let waitingSends = 0;
  const stalledSink: TopicSink = {
    listTopics: () => kafka.promise.then(() => ["weather"]),
    partitions: () => Promise.resolve([{ partition: 0, leader: 1, replicas: [] }]),
    createTopic: () => Promise.resolve(),
    send: async (_topic, records) => {
      waitingSends++;
      await kafka.promise;
      return records.map((_, offset) => ({ partition: 0, offset, error_code: null, error: null }));
    },
    close: () => Promise.resolve(),
  };
  const bounded = createApp({
    sink: stalledSink,
    schemas: untouchableSchemas,
    settings: { maxBodyBytes: 1000, autoCreateTopics: false, maxPendingRequests: 3 },
  });
  const produce = (body = '{"records":[{"value":{"t":1}}]}') =>
    bounded.request("/topics/weather", {
      method: "POST",
      headers: { "Content-Type": JSON_TYPE },
      body,
    });

  const admitted = Array.from({ length: 3 }, () => produce());
  for (let i = 0; i < 1000 && waitingSends < 3; i++) await new Promise((r) => setTimeout(r, 1));
  assert.equal(waitingSends, 3);

  const refused = await Promise.all([produce(), produce(), bounded.request("/topics")]);
  for (const response of refused) {
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("content-type"), "application/vnd.kafka.v2+json");
    const body = await response.json();
    assert.equal(body.error_code, 50301);
    assert.match(body.message, /limit 3/);
  }
  assert.equal(waitingSends, 3, "refused requests never reach Kafka");
  // Invalid requests are still answered for what they are.
  const invalid = await produce('{"records":[]}');
  assert.equal(invalid.status, 422);
  await invalid.body?.cancel();

  kafka.resolve();
  for (const response of await Promise.all(admitted)) {
    assert.equal(response.status, 200);
    assert.equal((await response.json()).offsets[0].error_code, null);
  }
  const after = await produce();
  assert.equal(after.status, 200, "the slots are free again");
  await after.body?.cancel();
});
