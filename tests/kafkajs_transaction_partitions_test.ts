/**
 * A transaction of the exactly-once engine adds all its partitions in one AddPartitionsToTxn
 * (lib/kafkajs_transaction_partitions.ts), where kafkajs 2.2.4 asked once per send, and its
 * records still commit.
 */
import assert from "node:assert/strict";
import { createKafka } from "../lib/kafka.ts";
import { ensureTopics } from "../lib/admin.ts";
import { kafkajsRequire } from "../lib/kafkajs_upstream.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { kafkajsSession } from "../lib/exactly_once/kafkajs_ports.ts";
import { sendByPartition } from "../lib/exactly_once/chunks.ts";
import type { OutputRecord } from "../lib/exactly_once/ports.ts";
import { configFor, freshNamespace } from "./helpers/mod.ts";

Deno.test("a transaction's partitions are added in one request, and its records commit", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("transaction-partitions-test", config.kafka);
  const outputs = `${namespace}outputs`;
  const checkpoints = `${namespace}checkpoints`;
  await ensureTopics(kafka, config, [
    { topic: outputs, compacted: false, partitions: 3 },
    { topic: checkpoints, compacted: true, partitions: 1 },
  ]);
  const broker = kafkajsRequire()("./src/broker/index.js").prototype;
  const add = broker.addPartitionsToTxn;
  const asked: string[][] = [];
  broker.addPartitionsToTxn = function (
    this: unknown,
    request: { topics: { topic: string; partitions: number[] }[] },
  ) {
    asked.push(request.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}[${p}]`)).sort());
    return add.call(this, request);
  };
  const session = kafkajsSession(kafka, `${namespace}task`);
  const transaction = (n: number): OutputRecord[] => [
    ...[0, 1, 2].flatMap((partition) =>
      [0, 1].map((i) => ({ topic: outputs, partition, key: null, value: `${n}-${partition}-${i}` }))
    ),
    { topic: checkpoints, partition: 0, key: "c", value: String(n) },
  ];
  const all = [0, 1, 2].map((p) => `${outputs}[${p}]`).concat(`${checkpoints}[0]`).sort();
  try {
    await session.init();
    // Back to back: the second begins while the first one's markers may still be written.
    for (const n of [1, 2]) {
      asked.length = 0;
      await session.begin();
      await sendByPartition(session, transaction(n));
      await session.commit();
      assert.ok(asked.length >= 1, "no AddPartitionsToTxn");
      // Retries of CONCURRENT_TRANSACTIONS repeat the one request; kafkajs asked per partition.
      for (const request of asked) assert.deepEqual(request, all);
    }
  } finally {
    broker.addPartitionsToTxn = add;
    await session.close();
  }
  const values: string[] = [];
  await readToEnd(kafka, outputs, (_, m) => values.push(m.value!.toString()));
  assert.equal(values.length, 12);
  assert.deepEqual(
    values.sort(),
    [1, 2].flatMap((n) => [0, 1, 2].flatMap((p) => [0, 1].map((i) => `${n}-${p}-${i}`))).sort(),
  );
});
