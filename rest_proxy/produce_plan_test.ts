import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { partitionFor } from "../lib/partitioned_send.ts";
import { messageSize, planProduceRequests } from "./produce_plan.ts";

const keyed = (key: string, bytes = 10) => ({
  key: Buffer.from(key),
  value: Buffer.alloc(bytes),
});

Deno.test("every produce request holds the records of one partition, in request order", () => {
  const messages = Array.from({ length: 60 }, (_, i) => keyed(`station-${i % 11}`));
  const plan = planProduceRequests("weather", messages, 3, 1024 * 1024, 5_000);
  assert.ok(plan.size > 1, "keys spread over several partitions");
  const seen: number[] = [];
  for (const [partition, batches] of plan) {
    const indices = batches.flat();
    assert.deepEqual(indices, [...indices].sort((a, b) => a - b), "request order kept");
    for (const i of indices) {
      assert.equal(partition, partitionFor("weather", messages[i], 3), `record ${i}`);
    }
    seen.push(...indices);
  }
  assert.deepEqual(seen.sort((a, b) => a - b), messages.map((_, i) => i), "each record once");
});

Deno.test("explicit partitions are kept and batches stay under the byte and record limits", () => {
  const messages = [
    ...Array.from({ length: 10 }, () => ({ ...keyed("a", 400), partition: 2 })),
    ...Array.from({ length: 7 }, () => ({ key: null, value: Buffer.alloc(100), partition: 0 })),
  ];
  const maxBytes = 1_000;
  const plan = planProduceRequests("t", messages, 3, maxBytes, 3);
  assert.deepEqual([...plan.keys()].sort(), [0, 2]);
  for (const [partition, batches] of plan) {
    for (const batch of batches) {
      assert.ok(batch.length <= 3);
      assert.ok(batch.reduce((sum, i) => sum + messageSize(messages[i]), 0) <= maxBytes);
      assert.ok(batch.every((i) => messages[i].partition === partition));
    }
  }
  assert.deepEqual(plan.get(2)!.map((b) => b.length), [2, 2, 2, 2, 2]);
  assert.deepEqual(plan.get(0)!.map((b) => b.length), [3, 3, 1]);
});

Deno.test("records without key or partition are spread over the partitions", () => {
  const messages = Array.from({ length: 30 }, () => ({ key: null, value: Buffer.from("x") }));
  const plan = planProduceRequests("t", messages, 3, 1024, 100);
  assert.equal(plan.size, 3);
  assert.equal([...plan.values()].flat(2).length, 30);
});
