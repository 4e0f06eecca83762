import assert from "node:assert/strict";
import kafkajs, { type Kafka } from "kafkajs";
import { loadConfig } from "./config.ts";
import { ensureTopics, isTransientKafkaError, partitionCount } from "./admin.ts";

const config = loadConfig(() => undefined);

function protocolError(type: string, retriable: boolean): Error {
  return Object.assign(new Error(type), { type, retriable });
}

/** A Kafka whose admin fails `createTopics` with each of `failures` in turn, then succeeds. */
function flakyKafka(failures: Error[]) {
  const created: string[][] = [];
  const kafka = {
    admin: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      listTopics: () => Promise.resolve([]),
      createTopics: ({ topics }: { topics: { topic: string }[] }) => {
        const failure = failures.shift();
        if (failure) return Promise.reject(failure);
        created.push(topics.map((t) => t.topic));
        return Promise.resolve(true);
      },
    }),
  } as unknown as Kafka;
  return { kafka, created };
}

Deno.test("a broker that does not host a new topic yet is retried until it does", async () => {
  const notHosted = protocolError("UNKNOWN_TOPIC_OR_PARTITION", true);
  const wrapped = new kafkajs.KafkaJSNumberOfRetriesExceeded(notHosted, {
    retryCount: 10,
    retryTime: 5_000,
  });
  const { kafka, created } = flakyKafka([notHosted, wrapped]);
  const pauses: number[] = [];
  await ensureTopics(kafka, config, [{ topic: "t" }], {
    sleep: (ms) => Promise.resolve(void pauses.push(ms)),
  });
  assert.deepEqual(created, [["t"]]);
  assert.deepEqual(pauses, [250, 500]);
});

Deno.test("an error that another attempt would meet again ends at once", async () => {
  const refused = protocolError("POLICY_VIOLATION", false);
  const { kafka, created } = flakyKafka([refused]);
  await assert.rejects(() => ensureTopics(kafka, config, [{ topic: "t" }]), /POLICY_VIOLATION/);
  assert.deepEqual(created, []);
});

Deno.test("transient errors are retried for a bounded time, then the last one is thrown", async () => {
  const notHosted = () => protocolError("UNKNOWN_TOPIC_OR_PARTITION", true);
  const { kafka } = flakyKafka(Array.from({ length: 100 }, notHosted));
  await assert.rejects(
    () =>
      ensureTopics(kafka, config, [{ topic: "t" }], {
        retryForMs: 0,
        sleep: () => Promise.resolve(),
      }),
    /UNKNOWN_TOPIC_OR_PARTITION/,
  );
});

Deno.test("retriable errors are told apart, also when kafkajs wraps them", () => {
  assert.ok(isTransientKafkaError(protocolError("LEADER_NOT_AVAILABLE", true)));
  const connection = new kafkajs.KafkaJSConnectionError("Connection error: ECONNREFUSED");
  assert.ok(isTransientKafkaError(connection));
  assert.ok(!isTransientKafkaError(protocolError("TOPIC_AUTHORIZATION_FAILED", false)));
  assert.ok(!isTransientKafkaError(new Error("not Kafka")));
  assert.ok(!isTransientKafkaError("UNKNOWN_TOPIC_OR_PARTITION"));
});

Deno.test("a topic's partitions read before the broker hosts them are read again", async () => {
  const failures = [protocolError("UNKNOWN_TOPIC_OR_PARTITION", true)];
  const kafka = {
    admin: () => ({
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      fetchTopicMetadata: () => {
        const failure = failures.shift();
        if (failure) return Promise.reject(failure);
        return Promise.resolve({ topics: [{ name: "t", partitions: [{}, {}, {}] }] });
      },
    }),
  } as unknown as Kafka;
  const pauses: number[] = [];
  const count = await partitionCount(kafka, "t", {
    sleep: (ms) => Promise.resolve(void pauses.push(ms)),
  });
  assert.equal(count, 3);
  assert.deepEqual(pauses, [250]);
});

Deno.test("an attempt still under way when time runs out ends with the last error", async () => {
  const refused = new kafkajs.KafkaJSConnectionError("connect ECONNREFUSED 127.0.0.1:1");
  let connects = 0;
  const kafka = {
    admin: () => ({
      // The first connect fails at once; the next one hangs, as kafkajs's own retries do.
      connect: () => ++connects === 1 ? Promise.reject(refused) : new Promise(() => {}),
      disconnect: () => Promise.resolve(),
    }),
  } as unknown as Kafka;
  const started = Date.now();
  await assert.rejects(
    () => partitionCount(kafka, "t", { retryForMs: 300, sleep: () => Promise.resolve() }),
    /ECONNREFUSED 127\.0\.0\.1:1/,
  );
  assert.equal(connects, 2);
  assert.ok(Date.now() - started < 5_000, "bounded by retryForMs, not by the hanging attempt");
});

Deno.test("a first attempt that never answers ends when time runs out", async () => {
  const kafka = {
    admin: () => ({ connect: () => new Promise(() => {}), disconnect: () => Promise.resolve() }),
  } as unknown as Kafka;
  await assert.rejects(
    () => partitionCount(kafka, "t", { retryForMs: 100 }),
    /Kafka did not answer within 100 ms/,
  );
});
