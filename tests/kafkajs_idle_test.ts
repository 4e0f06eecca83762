/**
 * A connected kafkajs client with nothing to do lets its process sleep: kafkajs 2.2.4's request
 * queues looked at their (empty) pending lists every millisecond (lib/kafkajs_timer_fix.ts).
 */
import assert from "node:assert/strict";
import { createKafka } from "../lib/kafka.ts";
import { ensureTopics } from "../lib/admin.ts";
import { kafkajsRequire } from "../lib/kafkajs_upstream.ts";
import { configFor, freshNamespace } from "./helpers/mod.ts";

Deno.test("idle connections to a real broker do not wake their process", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("idle-test", config.kafka);
  const topic = `${namespace}idle`;
  await ensureTopics(kafka, config, [{ topic, compacted: false, partitions: 1 }]);
  const queue = kafkajsRequire()("./src/network/requestQueue/index.js").prototype;
  const check = queue.checkPendingRequests;
  let looks = 0;
  queue.checkPendingRequests = function (this: unknown) {
    looks++;
    return check.call(this);
  };
  const producers = Array.from({ length: 4 }, () => kafka.producer());
  try {
    for (const producer of producers) {
      await producer.connect();
      await producer.send({ topic, messages: [{ value: "x" }] });
    }
    await new Promise((r) => setTimeout(r, 200));
    looks = 0;
    await new Promise((r) => setTimeout(r, 1_000));
    // kafkajs's own scheduling looks hundreds of times a second per connection here.
    assert.ok(looks < 20, `${looks} looks at empty request queues in 1 s of idling`);
    // And they still work: a send after the idle second goes through.
    await producers[0].send({ topic, messages: [{ value: "y" }] });
  } finally {
    queue.checkPendingRequests = check;
    await Promise.all(producers.map((producer) => producer.disconnect()));
  }
});
