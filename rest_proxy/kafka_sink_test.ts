import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { describe, hasLeaders } from "./kafka_sink.ts";

// kafkajs is CommonJS and spreads its errors into its exports: only the default import sees them.
const { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } =
  kafkajs;

Deno.test("a refused connection stays retriable once kafkajs gives up retrying", () => {
  const refused = new KafkaJSConnectionError("connect ECONNREFUSED 127.0.0.1:9092");
  const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 10, retryTime: 1 });
  assert.equal(describe(exhausted).retriable, true);
  assert.match(describe(exhausted).message, /ECONNREFUSED/);
});

Deno.test("non-retriable Kafka errors and plain errors are not retriable", () => {
  assert.equal(describe(new KafkaJSNonRetriableError("record too large")).retriable, false);
  assert.equal(describe(new Error("boom")).retriable, false);
  assert.equal(describe("text").message, "text");
});

Deno.test("metadata of a topic without partitions or leaders yet is not worth caching", () => {
  const partition = (partitionId: number, leader: number) => ({
    partitionId,
    leader,
    replicas: [1],
    isr: [1],
    partitionErrorCode: 0,
  });
  assert.equal(hasLeaders(undefined), false);
  assert.equal(hasLeaders([]), false);
  assert.equal(hasLeaders([partition(0, 1), partition(1, -1)]), false);
  assert.equal(hasLeaders([partition(0, 1), partition(1, 1)]), true);
});
