import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { byPartition, partitionFor } from "./partitioned_send.ts";

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
