// kafkajs is evaluated and has built every produce request before the speedups are installed.
import assert from "node:assert/strict";
import { kafkajsRequire } from "../kafkajs_upstream.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const require = kafkajsRequire();
require("./index.js");
const produce: Any = require("./src/protocol/requests/produce/index.js");
const Long: Any = require("./src/utils/long.js");

function options(): Any {
  return {
    acks: -1,
    timeout: 1000,
    producerId: Long.fromValue(1),
    topicData: [{
      topic: "t",
      partitions: [{ partition: 0, messages: [{ key: "k", value: "v" }] }],
    }],
  };
}

const VERSIONS: number[] = produce.versions.map(Number);
for (const version of VERSIONS) await produce.protocol({ version })(options()).request.encode();

const { kafkajsSpeedupStatus, RECORD_BATCH_PRODUCE_VERSIONS, setKafkajsSpeedups } = await import(
  "./install.ts"
);

Deno.test("installed after kafkajs built its produce requests, record batches still go fast", async () => {
  setKafkajsSpeedups(true);
  for (const version of RECORD_BATCH_PRODUCE_VERSIONS) {
    const before = kafkajsSpeedupStatus().batches.fast;
    await produce.protocol({ version })(options()).request.encode();
    assert.equal(kafkajsSpeedupStatus().batches.fast, before + 1, `v${version}`);
  }
});

Deno.test("installed after kafkajs bound its grouping, the status says grouping is kafkajs's", () => {
  setKafkajsSpeedups(true);
  const status = kafkajsSpeedupStatus();
  assert.ok(status.encoder && status.records, JSON.stringify(status));
  assert.equal(status.grouping, false);
});
