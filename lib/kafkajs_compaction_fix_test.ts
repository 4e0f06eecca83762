import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  compactionSafeDecodeMessages,
  kafkajsOwnDecodeMessages,
} from "./kafkajs_compaction_fix.ts";
import { kafkajsRequire } from "./kafkajs_upstream.ts";

const require = kafkajsRequire();
const Decoder = require("./src/protocol/decoder.js");
const Encoder = require("./src/protocol/encoder.js");
const { RecordBatch } = require("./src/protocol/recordBatch/v0/index.js");
const Record = require("./src/protocol/recordBatch/record/v0/index.js");
const Batch = require("./src/consumer/batch.js");
const originalDecodeMessages = kafkajsOwnDecodeMessages();

/** A record batch as the cleaner leaves it: offsets `first`..`first + delta`, no records. */
function emptiedBatch(first: bigint, delta: number): Buffer {
  const body = Buffer.alloc(49);
  let at = 0;
  at = body.writeInt32BE(0, at); // partition leader epoch
  at = body.writeInt8(2, at); // magic
  at = body.writeInt32BE(0, at); // crc, not checked by kafkajs
  at = body.writeInt16BE(0x10, at); // attributes: transactional
  at = body.writeInt32BE(delta, at);
  at = body.writeBigInt64BE(0n, at);
  at = body.writeBigInt64BE(0n, at);
  at = body.writeBigInt64BE(7n, at); // producer id
  at = body.writeInt16BE(0, at);
  at = body.writeInt32BE(0, at);
  body.writeInt32BE(0, at); // no records
  const head = Buffer.alloc(12);
  head.writeBigInt64BE(first, 0);
  head.writeInt32BE(body.length, 8);
  return Buffer.concat([head, body]);
}

async function dataBatch(first: bigint, values: string[]): Promise<Buffer> {
  const encoded = await RecordBatch({
    firstOffset: first.toString(),
    lastOffsetDelta: values.length - 1,
    firstTimestamp: 1,
    maxTimestamp: 1,
    records: values.map((value, i) => Record({ key: `k${i}`, value, offsetDelta: i })),
  });
  return encoded.buffer;
}

function fetchMessages(...batches: Buffer[]) {
  const all = Buffer.concat(batches);
  return new Decoder(new Encoder().writeInt32(all.length).writeBuffer(all).buffer);
}

Deno.test("an emptied record batch moves a consumer past it instead of stalling it", async () => {
  const decode = compactionSafeDecodeMessages(require);
  const messages = await decode(fetchMessages(emptiedBatch(92n, 5)));
  assert.equal(messages.length, 1);
  assert.equal(messages[0].offset, "97");
  const batch = new Batch("t", "92", { partition: 0, highWatermark: "338", messages });
  assert.equal(batch.isEmpty(), true);
  assert.equal(batch.isEmptyDueToFiltering(), true, "kafkajs resolves such a batch");
  assert.equal(batch.lastOffset(), "97");
  // kafkajs's own decoder gives nothing, and its Batch then never moves on.
  const stalled = new Batch("t", "92", {
    partition: 0,
    highWatermark: "338",
    messages: await originalDecodeMessages(fetchMessages(emptiedBatch(92n, 5))),
  });
  assert.equal(stalled.isEmptyDueToFiltering(), false);
});

Deno.test("batches with records decode exactly as kafkajs decodes them", async () => {
  const decode = compactionSafeDecodeMessages(require);
  const bytes = () =>
    Promise.all([dataBatch(10n, ["a", "b"]), dataBatch(12n, ["c"])]).then((b) =>
      fetchMessages(...b)
    );
  const ours = await decode(await bytes());
  const theirs = await originalDecodeMessages(await bytes());
  assert.deepEqual(ours, theirs);
  assert.deepEqual(ours.map((m: { offset: string }) => m.offset), ["10", "11", "12"]);
  const mixed = await decode(fetchMessages(await dataBatch(10n, ["a"]), emptiedBatch(11n, 3)));
  assert.deepEqual(mixed.map((m: { offset: string }) => m.offset), ["10", "14"]);
  assert.deepEqual(mixed.map((m: { isControlRecord: boolean }) => m.isControlRecord), [
    false,
    true,
  ]);
});
