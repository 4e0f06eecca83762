import {
  crc32C,
  fastRecord,
  groupMessagesLinear,
  kafkajsOriginals,
  kafkajsSpeedupStatus,
  setKafkajsSpeedups,
} from "./kafkajs_speedups.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";
import kafkajs, { Kafka } from "kafkajs";

// deno-lint-ignore no-explicit-any
type Any = any;

const require = createRequire(import.meta.resolve("kafkajs"));
const Encoder: Any = require("./src/protocol/encoder.js");
const Long: Any = require("./src/utils/long.js");
const produce: Any = require("./src/protocol/requests/produce/index.js");

/** A seeded generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `encode` with kafkajs's original code and with the replacements; returns both. */
async function bothWays<T>(encode: () => T | Promise<T>): Promise<[T, T]> {
  try {
    setKafkajsSpeedups(false);
    const original = await encode();
    setKafkajsSpeedups(true);
    return [original, await encode()];
  } finally {
    setKafkajsSpeedups(true);
  }
}

const UNICODE = ["a", "é", "€", "日本", "🚇", "\u0000", "\ud800", "\udfff", "x".repeat(200)];

function randomString(next: () => number): string {
  let text = "";
  const parts = Math.floor(next() * 6);
  for (let i = 0; i < parts; i++) text += UNICODE[Math.floor(next() * UNICODE.length)];
  return text;
}

function randomBytes(next: () => number, max: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(next() * max) }, () => next() * 256));
}

function randomKeyOrValue(next: () => number): Buffer | string | null | undefined {
  const pick = next();
  if (pick < 0.1) return null;
  if (pick < 0.15) return undefined;
  if (pick < 0.4) return randomString(next);
  return randomBytes(next, pick < 0.95 ? 60 : 400);
}

function randomHeaders(next: () => number): Record<string, Any> | undefined {
  const pick = next();
  if (pick < 0.3) return undefined;
  const headers: Record<string, Any> = {};
  const count = Math.floor(next() * 4);
  for (let i = 0; i < count; i++) {
    const key = randomString(next) + i;
    const one = () => next() < 0.5 ? randomString(next) : randomBytes(next, 20);
    headers[key] = next() < 0.2 ? [one(), one()] : one();
  }
  return headers;
}

const VARINT_EDGES = [
  0,
  1,
  -1,
  63,
  64,
  -64,
  -65,
  127,
  128,
  8191,
  8192,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  -(2 ** 32),
];
const VARLONG_EDGES = [
  ...VARINT_EDGES,
  2 ** 35,
  -(2 ** 35),
  2 ** 53 - 1,
  -(2 ** 53 - 1),
  2 ** 53,
  -(2 ** 60),
  2 ** 62,
];

function randomInteger(next: () => number): number {
  const bits = Math.floor(next() * 54);
  const magnitude = Math.floor(next() * 2 ** bits);
  return next() < 0.5 ? -magnitude : magnitude;
}

Deno.test("kafkajs imported as an ES module and reached by createRequire is one instance", async () => {
  const root = require("./index.js");
  assert.equal(root, kafkajs);
  assert.equal(root.Kafka, Kafka);
  // The produce request that kafkajs builds itself goes through the patched Encoder.
  const writeInt16 = Encoder.prototype.writeInt16;
  let calls = 0;
  Encoder.prototype.writeInt16 = function (this: Any, value: number) {
    calls++;
    return writeInt16.call(this, value);
  };
  try {
    const { request } = produce.protocol({ version: 7 })({
      acks: -1,
      timeout: 1000,
      topicData: [{ topic: "t", partitions: [{ partition: 0, messages: [{ value: "v" }] }] }],
    });
    setKafkajsSpeedups(true);
    const before = kafkajsSpeedupStatus().batches.fast;
    await request.encode();
    assert.equal(kafkajsSpeedupStatus().batches.fast, before + 1, "the batch was written here");
  } finally {
    Encoder.prototype.writeInt16 = writeInt16;
  }
  assert.ok(calls > 0, "kafkajs's produce request called the patched Encoder method");
});

Deno.test("CRC32C equals kafkajs's for random buffers and the standard check value", () => {
  assert.equal(crc32C(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32C(new Uint8Array(0)), 0);
  const next = random(1);
  for (let i = 0; i < 2_000; i++) {
    const bytes = randomBytes(next, i < 1_000 ? 40 : 3_000);
    const start = Math.floor(next() * Math.min(9, bytes.length + 1));
    assert.equal(
      crc32C(bytes, start),
      kafkajsOriginals.crc32C(bytes.subarray(start)),
      `length ${bytes.length}, start ${start}`,
    );
  }
});

Deno.test("varints and varlongs are written byte for byte as kafkajs writes them", async () => {
  const next = random(2);
  const ints = [...VARINT_EDGES, ...Array.from({ length: 3_000 }, () => randomInteger(next))];
  const longs = [...VARLONG_EDGES, ...ints];
  const encodeAll = () => {
    const encoder = new Encoder(1);
    for (const value of ints) encoder.writeVarInt(value).writeUVarInt(value >>> 0);
    for (const value of longs) encoder.writeVarLong(value).writeInt8(Encoder.sizeOfVarLong(value));
    // Values kafkajs handles as Longs keep its own code path.
    encoder.writeVarLong(Long.fromValue("-9223372036854775808")).writeVarLong(2n ** 40n);
    return encoder.buffer;
  };
  const [original, fast] = await bothWays(encodeAll);
  assert.ok(original.length > ints.length * 2);
  assert.deepEqual(fast, original);
});

Deno.test("records are encoded as kafkajs encodes them: unicode, nulls, headers", async () => {
  const next = random(3);
  for (let i = 0; i < 3_000; i++) {
    const args = {
      offsetDelta: Math.floor(next() * 5_000),
      timestampDelta: next() < 0.7 ? Math.floor(next() * 10_000) : randomInteger(next),
      key: randomKeyOrValue(next),
      value: randomKeyOrValue(next),
      headers: randomHeaders(next),
    };
    const [original, fast] = await bothWays(() => {
      const record = kafkajsOriginals.Record(args);
      return { record: record.buffer as Buffer, fast: fastRecord(args).buffer as Buffer };
    });
    assert.deepEqual(original.fast, original.record, JSON.stringify(args));
    assert.deepEqual(fast.fast, original.record, JSON.stringify(args));
  }
});

function randomMessages(next: () => number, count: number): Any[] {
  const timestamps = next() < 0.5;
  return Array.from({ length: count }, () => ({
    key: randomKeyOrValue(next),
    value: randomKeyOrValue(next),
    headers: randomHeaders(next),
    ...(timestamps ? { timestamp: String(1_700_000_000_000 + Math.floor(next() * 1e6)) } : {}),
  }));
}

Deno.test("whole produce requests (v3 to v7) are byte-identical, compressed ones too", async () => {
  const next = random(4);
  let compared = 0;
  for (let i = 0; i < 60; i++) {
    const version = 3 + (i % 5);
    const topicData = [0, 1].map((t) => ({
      topic: `topic-${t}-${randomString(next)}`,
      partitions: [0, 1, 2].map((partition) => ({
        partition,
        firstSequence: Math.floor(next() * 2 ** 31),
        messages: randomMessages(next, 1 + Math.floor(next() * (i < 50 ? 50 : 500))),
      })),
    }));
    const options = {
      acks: -1,
      timeout: 30_000,
      compression: i % 10 === 9 ? 1 : 0, // 1 is GZIP
      transactionalId: i % 3 === 0 ? "tx-" + i : undefined,
      producerId: Long.fromValue(Math.floor(next() * 1e9)),
      producerEpoch: Math.floor(next() * 100),
      topicData,
    };
    // Messages without timestamps are stamped with Date.now(): keep it fixed.
    const now = Date.now;
    Date.now = () => 1_700_000_000_000;
    try {
      const [original, fast] = await bothWays(async () => {
        const { request } = produce.protocol({ version })(options);
        return (await request.encode()).buffer as Buffer;
      });
      assert.deepEqual(fast, original, `request ${i}, version ${version}`);
      compared += original.length;
    } finally {
      Date.now = now;
    }
  }
  assert.ok(compared > 100_000);
});

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
    assert.deepEqual(run(groupMessagesLinear), run(kafkajsOriginals.groupMessagesPerPartition));
  }
});

Deno.test("a batch mixing records kafkajs must encode itself stays byte-identical", async () => {
  // A timestamp delta beyond 2^52 and a Uint8Array key take kafkajs's own record encoding.
  const messages = [
    { key: "a", value: Buffer.from("1"), timestamp: "1" },
    { key: new Uint8Array([1, 2, 3]), value: "2", timestamp: "1" },
    { key: null, value: "3", timestamp: String(2 ** 60) },
    { key: Buffer.from("d"), value: null, timestamp: "2" },
  ];
  const handedOver = kafkajsSpeedupStatus().batches.kafkajs;
  const [original, fast] = await bothWays(async () => {
    const { request } = produce.protocol({ version: 7 })({
      acks: -1,
      timeout: 1000,
      producerId: Long.fromValue(5),
      topicData: [{ topic: "t", partitions: [{ partition: 0, firstSequence: 9, messages }] }],
    });
    return (await request.encode()).buffer as Buffer;
  });
  assert.deepEqual(fast, original);
  assert.ok(original.length > 100);
  assert.equal(kafkajsSpeedupStatus().batches.kafkajs, handedOver + 1, "kafkajs wrote the batch");
});
