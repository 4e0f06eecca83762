import assert from "node:assert/strict";
import type { Kafka } from "kafkajs";
import { checkedCheckpoint, kafkajsSession } from "./kafkajs_ports.ts";

/** A kafkajs stand-in that records every request the session makes. */
function recordingKafka() {
  const sends: { topic: string; partitions: number[] }[] = [];
  const transaction = {
    send: ({ topic, messages }: { topic: string; messages: { partition: number }[] }) => {
      sends.push({ topic, partitions: [...new Set(messages.map((m) => m.partition))] });
      return Promise.resolve([]);
    },
    sendOffsets: () => Promise.resolve(),
    commit: () => Promise.resolve(),
    abort: () => Promise.resolve(),
  };
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    transaction: () => Promise.resolve(transaction),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, sends };
}

Deno.test("a transactional send carries one partition per request", async () => {
  const { kafka, sends } = recordingKafka();
  const session = kafkajsSession(kafka, "g-t-0");
  await session.init();
  await session.begin();
  await session.send([0, 1, 2, 0, 1, 1, 2].map((partition, i) => ({
    topic: i < 5 ? "partials" : "summary",
    partition,
    key: String(i),
    value: "1",
  })));
  await session.commit();
  assert.equal(sends.length, 5);
  for (const send of sends) assert.equal(send.partitions.length, 1, JSON.stringify(send));
  const seen = sends.map((s) => `${s.topic}:${s.partitions[0]}`).sort();
  assert.deepEqual(seen, ["partials:0", "partials:1", "partials:2", "summary:1", "summary:2"]);
});

Deno.test("a checkpoint partition written to while it was read is read again, not restored", () => {
  const bytes = new TextEncoder().encode('{"next":"325"}');
  assert.equal(checkedCheckpoint("c", 0, 700n, 700n, bytes), bytes);
  assert.equal(checkedCheckpoint("c", 0, 0n, 0n, null), null);
  assert.throws(
    () => checkedCheckpoint("c", 0, 651n, 20_280n, bytes),
    /c\[0\] was written to while it was restored \(read to offset 651, high watermark 20280\)/,
  );
});
