import assert from "node:assert/strict";
import { type GroupingArgs, groupMessagesLinear } from "./grouping.ts";
import { random } from "./random_inputs.ts";
import { kafkajsRequire } from "../kafkajs_upstream.ts";

const require = kafkajsRequire();
const kafkajsGrouping: (args: GroupingArgs) => Record<string, unknown[]> = require(
  "./src/producer/groupMessagesPerPartition.js",
);

Deno.test("grouping by partition gives kafkajs's result with the same partitioner calls", () => {
  const next = random(5);
  for (let i = 0; i < 200; i++) {
    const partitions = 1 + Math.floor(next() * 6);
    const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
    }));
    const messages = Array.from({ length: Math.floor(next() * 300) }, (_, n) => ({ n }));
    const choices = messages.map(() => Math.floor(next() * partitions));
    const run = (group: typeof groupMessagesLinear) => {
      const calls: unknown[] = [];
      const result = group({
        topic: "t",
        partitionMetadata: i % 50 === 0 ? [] : partitionMetadata,
        messages,
        partitioner: ({ message }) => {
          calls.push(message);
          return choices[(message as { n: number }).n];
        },
      });
      return { result, calls };
    };
    assert.deepEqual(run(groupMessagesLinear), run(kafkajsGrouping));
  }
});
