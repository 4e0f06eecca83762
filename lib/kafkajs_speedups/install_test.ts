// First, as in lib/kafka.ts: the speedups are installed before kafkajs is evaluated.
import {
  installInto,
  kafkajsSpeedupStatus,
  RECORD_BATCH_PRODUCE_VERSIONS,
  setKafkajsSpeedups,
} from "./install.ts";
import {
  KAFKAJS_VERSION,
  type KafkajsRequire,
  kafkajsRequire,
  versionMismatch,
} from "../kafkajs_upstream.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import kafkajs, { Kafka } from "kafkajs";
import {
  random,
  randomHeaders,
  randomInteger,
  randomKeyOrValue,
  randomString,
  VARINT_EDGES,
  VARLONG_EDGES,
} from "./random_inputs.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const require = kafkajsRequire();
const Encoder: Any = require("./src/protocol/encoder.js");
const Long: Any = require("./src/utils/long.js");
const produce: Any = require("./src/protocol/requests/produce/index.js");
const sendMessages: Any = require("./src/producer/sendMessages.js");

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

/** The bytes of a produce request of `version`, encoded by kafkajs's own protocol code. */
async function encodeProduce(version: number, options: Any): Promise<Buffer> {
  const { request } = produce.protocol({ version })(options);
  assert.equal(request.apiVersion, version);
  // Messages without timestamps are stamped with Date.now(): keep it fixed.
  const now = Date.now;
  Date.now = () => 1_700_000_000_000;
  try {
    return (await request.encode()).buffer;
  } finally {
    Date.now = now;
  }
}

function randomMessages(next: () => number, count: number): Any[] {
  const timestamps = next() < 0.5;
  return Array.from({ length: count }, () => ({
    key: randomKeyOrValue(next),
    value: randomKeyOrValue(next),
    headers: randomHeaders(next),
    ...(timestamps ? { timestamp: String(1_700_000_000_000 + Math.floor(next() * 1e6)) } : {}),
  }));
}

Deno.test("the speedups are installed over this kafkajs, whose package says it is 2.2.4", () => {
  assert.equal(require("./package.json").version, KAFKAJS_VERSION);
  setKafkajsSpeedups(true);
  const status = kafkajsSpeedupStatus();
  assert.equal(status.off, undefined);
  assert.ok(status.encoder && status.records && status.grouping, JSON.stringify(status));
});

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
    setKafkajsSpeedups(true);
    const before = kafkajsSpeedupStatus().batches.fast;
    await encodeProduce(7, {
      acks: -1,
      timeout: 1000,
      topicData: [{ topic: "t", partitions: [{ partition: 0, messages: [{ value: "v" }] }] }],
    });
    assert.equal(kafkajsSpeedupStatus().batches.fast, before + 1, "the batch was written here");
  } finally {
    Encoder.prototype.writeInt16 = writeInt16;
  }
  assert.ok(calls > 0, "kafkajs's produce request called the patched Encoder method");
});

Deno.test("every produce version encoding record batches takes the fast path, byte-identical", async () => {
  const versions: number[] = produce.versions.map(Number);
  // v0–v2 write the message sets of magic 0 and 1, v3 and later record batches (magic 2).
  assert.deepEqual(versions.filter((v) => v >= 3), RECORD_BATCH_PRODUCE_VERSIONS);
  const next = random(7);
  for (const version of versions) {
    const partitions = [0, 1, 2].map((partition) => ({
      partition,
      firstSequence: partition * 1_000,
      messages: randomMessages(next, 20).map((m) => ({ ...m, headers: undefined })),
    }));
    const options = {
      acks: -1,
      timeout: 30_000,
      compression: 0,
      transactionalId: "tx",
      producerId: Long.fromValue(42),
      producerEpoch: 3,
      topicData: [{ topic: "t", partitions }],
    };
    const before = kafkajsSpeedupStatus().batches;
    const [original, fast] = await bothWays(() => encodeProduce(version, options));
    const after = kafkajsSpeedupStatus().batches;
    assert.deepEqual(fast, original, `v${version}`);
    assert.ok(original.length > 500, `v${version}`);
    const expected = RECORD_BATCH_PRODUCE_VERSIONS.includes(version) ? partitions.length : 0;
    assert.equal(after.fast - before.fast, expected, `v${version}: batches written here`);
    assert.equal(after.kafkajs - before.kafkajs, 0, `v${version}: batches left to kafkajs`);
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
    for (const value of [Long.fromValue("-9223372036854775808"), 2n ** 40n, "-3"]) {
      encoder.writeVarLong(value).writeInt8(Encoder.sizeOfVarLong(value));
    }
    return encoder.buffer;
  };
  const [original, fast] = await bothWays(encodeAll);
  assert.ok(original.length > ints.length * 2);
  assert.deepEqual(fast, original);
});

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
    const [original, fast] = await bothWays(() => encodeProduce(version, options));
    assert.deepEqual(fast, original, `request ${i}, version ${version}`);
    compared += original.length;
  }
  assert.ok(compared > 100_000);
});

Deno.test("a batch mixing records kafkajs must encode itself stays byte-identical", async () => {
  // A timestamp delta beyond 2^52 and a Uint8Array key take kafkajs's own record encoding.
  const messages = [
    { key: "a", value: "1", timestamp: "1" },
    { key: new Uint8Array([1, 2, 3]), value: "2", timestamp: "1" },
    { key: null, value: "3", timestamp: String(2 ** 60) },
    { key: "d", value: null, timestamp: "2" },
  ];
  const handedOver = kafkajsSpeedupStatus().batches.kafkajs;
  const [original, fast] = await bothWays(() =>
    encodeProduce(7, {
      acks: -1,
      timeout: 1000,
      producerId: Long.fromValue(5),
      topicData: [{ topic: "t", partitions: [{ partition: 0, firstSequence: 9, messages }] }],
    })
  );
  assert.deepEqual(fast, original);
  assert.ok(original.length > 100);
  assert.equal(kafkajsSpeedupStatus().batches.kafkajs, handedOver + 1, "kafkajs wrote the batch");
});

Deno.test("a field kafkajs cannot read either rejects with kafkajs's own error", async () => {
  for (const producerId of ["", "1.5", null]) {
    const handedOver = kafkajsSpeedupStatus().batches.kafkajs;
    const [original, fast] = await bothWays(() =>
      encodeProduce(7, {
        acks: -1,
        timeout: 1000,
        producerId,
        topicData: [{ topic: "t", partitions: [{ partition: 0, messages: [{ value: "v" }] }] }],
      }).then(() => assert.fail("encoded"), (error: Error) => `${error.name}: ${error.message}`)
    );
    assert.equal(fast, original, String(producerId));
    assert.equal(kafkajsSpeedupStatus().batches.kafkajs, handedOver + 1);
  }
});

Deno.test("kafkajs's producer groups with the linear grouping and sends fast-path batches", async () => {
  const produced: Any[] = [];
  const broker = { nodeId: 1, produce: (request: Any) => produced.push(request) };
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 }));
  const cluster = {
    addMultipleTargetTopics: async () => {},
    refreshMetadataIfNecessary: async () => {},
    findTopicPartitionMetadata: () => partitionMetadata,
    findLeaderForPartitions: (_topic: string, partitions: string[]) => ({
      1: partitions.map(Number),
    }),
    findBroker: () => Promise.resolve(broker),
    isConnected: () => true,
  };
  const eosManager = {
    acquireBrokerLock: async () => {},
    releaseBrokerLock: async () => {},
    isTransactional: () => false,
    getSequence: () => 0,
    updateSequence: () => {},
    getProducerId: () => Long.fromValue(-1),
    getProducerEpoch: () => 0,
  };
  const send = sendMessages({
    logger: { debug() {}, error() {} },
    cluster,
    partitioner: ({ message }: Any) => Number(message.key) % 3,
    eosManager,
    retrier: (run: Any) => run((error: unknown) => Promise.reject(error), 0, 0),
  });
  setKafkajsSpeedups(true);
  const before = kafkajsSpeedupStatus();
  const messages = Array.from({ length: 30 }, (_, i) => ({ key: String(i), value: `v${i}` }));
  await send({ acks: 0, timeout: 1000, topicMessages: [{ topic: "t", messages }] });
  assert.equal(kafkajsSpeedupStatus().groupings, before.groupings + 1, "grouped here");
  assert.equal(produced.length, 1);
  const { topicData } = produced[0];
  assert.deepEqual(
    topicData[0].partitions.map((p: Any) => p.messages.map((m: Any) => m.key)),
    [0, 1, 2].map((p) => messages.filter((m) => Number(m.key) % 3 === p).map((m) => m.key)),
  );
  await encodeProduce(7, { acks: -1, timeout: 1000, topicData });
  assert.equal(kafkajsSpeedupStatus().batches.fast, before.batches.fast + 3);
});

/** A require that knows only a package.json, and records what it was asked for. */
function standInRequire(packageJson: () => unknown): { require: KafkajsRequire; asked: string[] } {
  const asked: string[] = [];
  const require = Object.assign((id: string) => {
    asked.push(id);
    if (id === "./package.json") return packageJson();
    throw new Error(`not a kafkajs ${KAFKAJS_VERSION} module: ${id}`);
  }, {
    resolve: (id: string) => {
      asked.push(`resolve ${id}`);
      return id;
    },
    cache: {},
  });
  return { require, asked };
}

Deno.test("over another kafkajs version nothing is patched and one line says why", () => {
  for (const version of ["2.2.3", "2.3.0", "3.0.0", undefined]) {
    const { require, asked } = standInRequire(() => ({ name: "kafkajs", version }));
    const lines: string[] = [];
    const result = installInto(() => require, (line) => lines.push(line));
    assert.deepEqual(asked, ["./package.json"], "nothing but the version was read");
    assert.equal(lines.length, 1);
    assert.equal(result, lines[0]);
    assert.equal(lines[0], versionMismatch(version, "kafkajs speedups"));
    assert.match(lines[0], /^kafkajs speedups off: kafkajs is \S+, .*2\.2\.4/);
    assert.ok(lines[0].includes(String(version)), lines[0]);
  }
  assert.equal(versionMismatch(KAFKAJS_VERSION, "kafkajs speedups"), undefined);
});

Deno.test("an unreadable kafkajs version patches nothing either", () => {
  const { require, asked } = standInRequire(() => {
    throw new Error("Requires read access");
  });
  const lines: string[] = [];
  const result = installInto(() => require, (line) => lines.push(line));
  assert.deepEqual(asked, ["./package.json"]);
  assert.deepEqual(lines, [result]);
  assert.match(lines[0], /^kafkajs speedups off: cannot read kafkajs's version \(Requires read/);
});

Deno.test("fetched record batches go through the in-place decoder, decoded as kafkajs decodes", async () => {
  // The message decoder kafkajs's fetch responses use (the compaction fix's, over the batch
  // decoder this module installed).
  const decodeMessages = require("./src/protocol/requests/fetch/v4/decodeMessages.js");
  const RecordBatch = require("./src/protocol/recordBatch/v0/index.js").RecordBatch;
  const Record = require("./src/protocol/recordBatch/record/v0/index.js");
  const Decoder = require("./src/protocol/decoder.js");
  const next = random(9);
  const batches: Buffer[] = [];
  for (let b = 0; b < 3; b++) {
    const messages = randomMessages(next, 30);
    const encoded = await RecordBatch({
      firstOffset: String(1_000 * b),
      firstTimestamp: 1_700_000_000_000,
      lastOffsetDelta: messages.length - 1,
      records: messages.map((m: Any, offsetDelta: number) =>
        Record({ ...m, offsetDelta, timestampDelta: offsetDelta })
      ),
    });
    batches.push(encoded.buffer);
  }
  const fetched = () => {
    const all = Buffer.concat(batches);
    return new Decoder(new Encoder().writeInt32(all.length).writeBuffer(all).buffer);
  };
  const before = kafkajsSpeedupStatus().decoded.batches;
  const [original, fast] = await bothWays(() => decodeMessages(fetched()));
  assert.equal(kafkajsSpeedupStatus().decoded.batches - before, 3, "decoded here");
  assert.equal(fast.length, 90);
  assert.deepEqual(fast, original);
});
