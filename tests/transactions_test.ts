/**
 * Transactions interleaved in one partition, as the summary's repartition topic holds them (one
 * producer per input partition): read_committed readers must see the committed records only.
 */
import assert from "node:assert/strict";
import type { Kafka, Producer } from "kafkajs";
import { createKafka } from "../lib/kafka.ts";
import { ensureTopics } from "../lib/admin.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { configFor, freshNamespace } from "./helpers/mod.ts";
import { readCommittedWithLibrdkafka } from "./foreign/mod.ts";
import { useKafkajsOwnFilter } from "../lib/kafkajs_aborted_filter.ts";

async function transactional(kafka: Kafka, id: string): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId: id,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
}

Deno.test("no record of an aborted transaction reaches a reader, however the aborts interleave", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("transactions-test", config.kafka);
  const topic = `${namespace}interleaved`;
  await ensureTopics(kafka, config, [{ topic, compacted: false, partitions: 1 }]);
  const [first, second, third] = await Promise.all(
    ["first", "second", "third"].map((name) => transactional(kafka, `${namespace}${name}`)),
  );
  const send = (txn: Awaited<ReturnType<Producer["transaction"]>>, value: string) =>
    txn.send({ topic, messages: [{ partition: 0, value }] });
  try {
    // `first` begins before `second` and aborts after it: the broker lists the aborted
    // transactions in the order of their markers, `second` before `first`.
    const a = await first.transaction();
    await send(a, "first aborted 1");
    await send(a, "first aborted 2");
    const b = await second.transaction();
    await send(b, "second aborted 1");
    const c = await third.transaction();
    await send(c, "third committed");
    await c.commit();
    await send(b, "second aborted 2");
    await b.abort();
    await send(a, "first aborted 3");
    await a.abort();
    const d = await third.transaction();
    await send(d, "third committed again");
    await d.commit();
  } finally {
    await Promise.all([first, second, third].map((p) => p.disconnect()));
  }

  const seen: string[] = [];
  await readToEnd(kafka, topic, (_p, message) => seen.push(message.value!.toString()));
  const foreign = await readCommittedWithLibrdkafka(config, topic);
  assert.deepEqual(foreign, ["third committed", "third committed again"]);
  assert.deepEqual(seen, foreign);

  // kafkajs's own filter, on the same fetch responses, lets the earlier transaction through.
  const leaked: string[] = [];
  useKafkajsOwnFilter(true);
  try {
    await readToEnd(kafka, topic, (_p, message) => leaked.push(message.value!.toString()));
  } finally {
    useKafkajsOwnFilter(false);
  }
  assert.deepEqual(leaked, [
    "first aborted 1",
    "first aborted 2",
    "third committed",
    "third committed again",
  ]);
});
