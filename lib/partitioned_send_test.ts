import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Message, Producer } from "kafkajs";
import { byPartition, partitionFor, sendPerPartition } from "./partitioned_send.ts";

Deno.test("keyed messages go to the partition of Kafka's murmur2 partitioner", () => {
  // The Java client's partitioner puts these keys on these partitions out of 3.
  const key = (text: string) => ({ key: Buffer.from(text), value: null });
  const spread = ["a", "b", "c", "d", "e", "f", "g", "h"].map((k) => partitionFor("t", key(k), 3));
  assert.ok(spread.every((p) => p >= 0 && p < 3));
  assert.equal(new Set(spread).size, 3, `keys spread over every partition: ${spread}`);
  assert.equal(partitionFor("t", key("a"), 3), partitionFor("other", key("a"), 3));
});

Deno.test("grouping keeps each partition's messages in their order and loses none", () => {
  const messages = Array.from({ length: 50 }, (_, i) => ({
    key: Buffer.from(String(i % 7)),
    value: Buffer.from(String(i)),
  }));
  const groups = byPartition("t", messages, 3);
  const all = [...groups.values()].flat();
  assert.equal(all.length, 50);
  for (const group of groups.values()) {
    const order = group.map((m) => Number(m.value!.toString()));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
  }
  assert.deepEqual(
    byPartition("t", [{ key: null, value: null, partition: 2 }], 3).get(2)?.length,
    1,
  );
});

Deno.test("every request holds one partition's messages, in order, each naming that partition", async () => {
  const requests: { topic: string; messages: Message[] }[] = [];
  const producer = {
    send: ({ topic, messages }: { topic: string; messages: Message[] }) => {
      requests.push({ topic, messages });
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  // One message object sent many times over, with its partition known, as the simulation does.
  const repeated: Message = {
    key: Buffer.from("40380"),
    value: Buffer.from("entry"),
    partition: 1,
  };
  const keyed: Message[] = Array.from({ length: 9 }, (_, i) => ({
    key: Buffer.from(String(i)),
    value: Buffer.from(String(i)),
  }));
  const messages = [...Array(7).fill(repeated), ...keyed];
  await sendPerPartition(producer, [{ topic: "t", messages }], new Map([["t", 3]]), 4);

  const sent = requests.flatMap((r) => r.messages);
  assert.equal(sent.length, messages.length);
  for (const request of requests) {
    assert.ok(request.messages.length <= 4);
    const partitions = new Set(request.messages.map((m) => m.partition));
    assert.equal(partitions.size, 1, "one partition per request");
  }
  for (const m of keyed) {
    const copy = sent.find((s) => s.value === m.value)!;
    assert.equal(copy.partition, partitionFor("t", m, 3));
    assert.equal(m.partition, undefined, "the caller's message is left as it was");
  }
  assert.equal(
    sent.filter((m) => m === repeated).length,
    7,
    "a message that names its partition goes as is",
  );
  const order = sent.filter((m) => m.partition === partitionFor("t", keyed[0], 3) && m !== repeated)
    .map((m) => Number(m.value!.toString()));
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
});
