/**
 * End offsets through a stage's long-lived admin client survive kafkajs 2.2.4's failure on stale
 * metadata (a TypeError from fetchTopicOffsets, seen when a summary task opened on checkpoint
 * topics created a moment before): a client of its own reads them afresh.
 */
import assert from "node:assert/strict";
import type { Admin } from "kafkajs";
import { createKafka } from "../lib/kafka.ts";
import { ensureTopics } from "../lib/admin.ts";
import { endOffsets } from "../lib/read_to_end.ts";
import { configFor, freshNamespace } from "./helpers/mod.ts";

/** What kafkajs's fetchTopicOffsets does when its metadata has no leader for the partitions. */
function staleMetadataAdmin(): Admin {
  return {
    fetchTopicOffsets: () => {
      const low: { partitions: unknown }[] = [];
      const { partitions } = low.pop()!;
      return Promise.resolve(partitions);
    },
  } as unknown as Admin;
}

Deno.test("end offsets through an admin with stale metadata come from a fresh client", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("end-offsets-test", config.kafka);
  const topic = `${namespace}checkpoints`;
  await ensureTopics(kafka, config, [{ topic, compacted: false, partitions: 2 }]);
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: [{ partition: 0, value: "a" }, { partition: 1, value: "b" }, {
        partition: 1,
        value: "c",
      }],
    });
  } finally {
    await producer.disconnect();
  }
  const ends = await endOffsets(kafka, topic, staleMetadataAdmin());
  assert.deepEqual([...ends].sort(), [[0, 1n], [1, 2n]]);
});

Deno.test("any other failure of the admin client is the caller's", async () => {
  const kafka = createKafka("end-offsets-test", configFor(freshNamespace()).kafka);
  const failing = {
    fetchTopicOffsets: () => Promise.reject(new Error("broker gone")),
  } as unknown as Admin;
  await assert.rejects(endOffsets(kafka, "any", failing), /broker gone/);
});
