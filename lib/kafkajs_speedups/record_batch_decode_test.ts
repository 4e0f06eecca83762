import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { random, randomHeaders, randomInteger, randomKeyOrValue } from "./random_inputs.ts";
import { decodeCounts, fastRecordBatchDecoder, kafkajsDecoding } from "./record_batch_decode.ts";
import type { RecordArgs, RecordBatchArgs } from "./record_batch.ts";
import { kafkajsRequire } from "../kafkajs_upstream.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

// Nothing in this test module installs the speedups: these are kafkajs's own.
const require = kafkajsRequire();
const Decoder: Any = require("./src/protocol/decoder.js");
const kafkajsRecord: (args: RecordArgs) => Any = require(
  "./src/protocol/recordBatch/record/v0/index.js",
);
const { RecordBatch: kafkajsRecordBatch } = require("./src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (args: RecordBatchArgs & { compression?: number }) => Promise<Any>;
};
const kafkajsDecode: (decoder: Any) => Promise<Any> = require(
  "./src/protocol/recordBatch/v0/decoder.js",
);
const fastDecode = fastRecordBatchDecoder(kafkajsDecoding(require));

const ATTRIBUTES_AT = 21; // first offset, length, leader epoch, magic, crc
const LOG_APPEND_TIME = 0x08;
const CONTROL = 0x20;
const GZIP = 1;

/** What decoding gives: the batches, the position after them, or the error thrown. */
async function outcome(decode: (decoder: Any) => Promise<Any>, bytes: Buffer, batches: number) {
  const decoder = new Decoder(bytes);
  const decoded: Any[] = [];
  try {
    for (let i = 0; i < batches; i++) decoded.push(await decode(decoder));
  } catch (error) {
    return { decoded, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  return { decoded, offset: decoder.offset };
}

async function assertSameAsKafkajs(bytes: Buffer, batches: number, label: string) {
  const theirs = await outcome(kafkajsDecode, bytes, batches);
  const ours = await outcome(fastDecode, bytes, batches);
  assert.deepEqual(ours, theirs, label);
  return theirs;
}

function randomRecords(next: () => number, count: number): RecordArgs[] {
  return Array.from({ length: count }, (_, offsetDelta) => ({
    offsetDelta,
    // Mostly small deltas (read here), some beyond four varint bytes (left to kafkajs).
    timestampDelta: next() < 0.8 ? Math.floor(next() * 100_000) : randomInteger(next),
    key: randomKeyOrValue(next),
    value: randomKeyOrValue(next),
    headers: randomHeaders(next),
  }));
}

async function randomBatch(next: () => number): Promise<Buffer> {
  const count = 1 + Math.floor(next() * 40);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const encoded = await kafkajsRecordBatch({
    // Mostly ordinary bases; some beyond 2^52, whose records are left to kafkajs.
    firstOffset: next() < 0.8
      ? String(Math.floor(next() * 1e9))
      : pick([String(2 ** 52 - 10), "9223372036854775000", "-5"]),
    firstTimestamp: next() < 0.8
      ? 1_700_000_000_000 + Math.floor(next() * 1e9)
      : pick([-1, 0, 2 ** 52 + 3, 8_000_000_000_000_000_000]),
    maxTimestamp: pick([1_700_000_099_999, -1]),
    partitionLeaderEpoch: Math.floor(next() * 100),
    lastOffsetDelta: count - 1,
    transactional: next() < 0.3,
    producerId: pick([-1, 7, "9007199254740993"]),
    producerEpoch: Math.floor(next() * 5),
    firstSequence: Math.floor(next() * 1000),
    compression: next() < 0.1 ? GZIP : 0,
    records: randomRecords(next, count).map(kafkajsRecord),
  });
  const bytes: Buffer = encoded.buffer;
  const flags = pick([0, 0, 0, LOG_APPEND_TIME, CONTROL]);
  bytes.writeInt16BE(bytes.readInt16BE(ATTRIBUTES_AT) | flags, ATTRIBUTES_AT);
  return bytes;
}

Deno.test("the source compared against is kafkajs's own record batch decoder", () => {
  assert.ok(String(kafkajsDecode).includes("KafkaJSPartialMessageError"));
});

Deno.test("record batches decode exactly as kafkajs decodes them", async () => {
  const next = random(11);
  let records = 0;
  const leftToKafkajs = decodeCounts.kafkajsRecords;
  for (let i = 0; i < 300; i++) {
    const batches = await Promise.all([randomBatch(next), randomBatch(next)]);
    const { decoded, offset } = await assertSameAsKafkajs(Buffer.concat(batches), 2, `pair ${i}`);
    assert.ok(offset !== undefined, `pair ${i} decodes`);
    records += decoded.reduce((sum: number, b: Any) => sum + b.records.length, 0);
  }
  assert.ok(records > 5_000, `${records} records compared`);
  // Most records are read in place (the rest have large bases or timestamp deltas).
  const kafkajsRecords = decodeCounts.kafkajsRecords - leftToKafkajs;
  assert.ok(kafkajsRecords < records / 2, `${kafkajsRecords} of ${records} left to kafkajs`);
  assert.ok(kafkajsRecords > 0, "the fallback was exercised");
});

Deno.test("repeated header keys, null keys and values, as kafkajs folds them", async () => {
  const bytes: Buffer = (await kafkajsRecordBatch({
    firstOffset: "100",
    firstTimestamp: 1_700_000_000_000,
    lastOffsetDelta: 1,
    records: [
      kafkajsRecord({
        offsetDelta: 0,
        key: null,
        value: null,
        headers: { reason: ["a", "b", "c"], "source.topic": "t" },
      }),
      kafkajsRecord({ offsetDelta: 1, timestampDelta: 5, key: "k", value: "v" }),
    ],
  })).buffer;
  const { decoded } = await assertSameAsKafkajs(bytes, 1, "headers");
  const [first, second] = decoded[0].records;
  assert.deepEqual(first.headers.reason.map(String), ["a", "b", "c"]);
  assert.equal(first.key, null);
  assert.equal(second.offset, "101");
  assert.equal(second.timestamp, "1700000000005");
});

Deno.test("truncated and corrupted batches fail or decode as kafkajs's do", async () => {
  const next = random(12);
  for (let i = 0; i < 300; i++) {
    const bytes = Buffer.from(await randomBatch(next));
    if (i % 3 === 0) {
      await assertSameAsKafkajs(
        bytes.subarray(0, Math.floor(next() * bytes.length)),
        1,
        `cut ${i}`,
      );
    } else {
      // Past the batch header (61 bytes): kafkajs checks no CRC, so records are read as they are.
      for (let n = 0; n < 1 + i % 4; n++) {
        const at = 61 + Math.floor(next() * (bytes.length - 61));
        bytes[at] = Math.floor(next() * 256);
      }
      await assertSameAsKafkajs(bytes, 1, `corrupted ${i}`);
    }
  }
});
