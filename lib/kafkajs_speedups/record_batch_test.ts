import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { random, randomHeaders, randomInteger, randomKeyOrValue } from "./random_inputs.ts";
import {
  encodeRecordBatch,
  int64,
  PendingRecord,
  type RecordArgs,
  type RecordBatchArgs,
  sizeRecord,
} from "./record_batch.ts";
import { kafkajsRequire } from "../kafkajs_upstream.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

// Nothing in this test module installs the speedups: these are kafkajs's own.
const require = kafkajsRequire();
const Long: Any = require("./src/utils/long.js");
const kafkajsRecord: (args: RecordArgs) => Any = require(
  "./src/protocol/recordBatch/record/v0/index.js",
);
const { RecordBatch: kafkajsRecordBatch } = require("./src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (args: RecordBatchArgs) => Promise<Any>;
};

function randomRecordArgs(next: () => number, offsetDelta: number): RecordArgs {
  return {
    offsetDelta,
    timestampDelta: next() < 0.7 ? Math.floor(next() * 10_000) : randomInteger(next) / 4,
    key: randomKeyOrValue(next),
    value: randomKeyOrValue(next),
    headers: randomHeaders(next),
  };
}

Deno.test("records are encoded as kafkajs encodes them: unicode, nulls, headers", () => {
  const next = random(3);
  let sized = 0;
  for (let i = 0; i < 3_000; i++) {
    const args = randomRecordArgs(next, Math.floor(next() * 5_000));
    const record = sizeRecord(args);
    // randomInteger(next) / 4 is sometimes not an integer: kafkajs's case, not ours.
    if (
      !Number.isInteger(args.timestampDelta) || Math.abs(args.timestampDelta as number) >= 2 ** 52
    ) {
      assert.equal(record, undefined, JSON.stringify(args));
      continue;
    }
    assert.ok(record, JSON.stringify(args));
    sized++;
    const expected: Buffer = kafkajsRecord(args).buffer;
    assert.deepEqual(record.buffer, expected, JSON.stringify(args));
    assert.equal(record.size(), expected.length);
  }
  assert.ok(sized > 2_500);
});

Deno.test("records kafkajs must encode itself are left to it", () => {
  const unhandled: RecordArgs[] = [
    { key: new Uint8Array([1, 2]), value: "v" },
    { key: "k", value: [1, 2] },
    { key: "k", value: "v", timestampDelta: 2 ** 60 },
    { key: "k", value: "v", timestampDelta: Long.fromValue(5) },
    { key: "k", value: "v", timestampDelta: "5" },
    { key: "k", value: "v", headers: { h: null } },
    { key: "k", value: "v", headers: { h: ["a", undefined] } },
    { key: "k", value: "v", headers: { h: 7 } },
  ];
  for (const args of unhandled) {
    assert.equal(sizeRecord(args), undefined, String(args.timestampDelta));
  }
  assert.ok(sizeRecord({ key: "k", value: "v", headers: { h: ["a", Buffer.from("b")] } }));
});

/** The same 64-bit value in each form kafkajs accepts. */
function int64Forms(value: bigint): unknown[] {
  const forms: unknown[] = [value, String(value), Long.fromValue(String(value))];
  if (Number.isSafeInteger(Number(value))) forms.push(Number(value));
  return forms;
}

Deno.test("uncompressed record batches are byte-identical to kafkajs's", async () => {
  const next = random(6);
  const values = [0n, -1n, 1n, 2n ** 31n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n + 5n];
  let compared = 0;
  for (let i = 0; i < 300; i++) {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
    const count = 1 + Math.floor(next() * (i < 250 ? 20 : 400));
    const recordArgs = Array.from({ length: count }, (_, n) => randomRecordArgs(next, n))
      .map((args) => ({ ...args, timestampDelta: Math.floor(next() * 10_000) }));
    const firstTimestamp = 1_700_000_000_000 + Math.floor(next() * 1e6);
    const header: RecordBatchArgs = {
      firstOffset: pick(int64Forms(pick(values))),
      firstTimestamp: next() < 0.5 ? firstTimestamp : String(firstTimestamp),
      maxTimestamp: pick(int64Forms(BigInt(firstTimestamp + 9_999))),
      partitionLeaderEpoch: Math.floor(next() * 2 ** 31),
      lastOffsetDelta: count - 1,
      transactional: next() < 0.5,
      producerId: pick(int64Forms(pick(values))),
      producerEpoch: Math.floor(next() * 2 ** 15),
      firstSequence: Math.floor(next() * 2 ** 31),
    };
    if (i % 10 === 0) {
      delete header.firstOffset;
      delete header.producerId;
    }
    const ours = encodeRecordBatch({ ...header, records: recordArgs.map((a) => sizeRecord(a)) });
    const expected: Buffer =
      (await kafkajsRecordBatch({ ...header, records: recordArgs.map(kafkajsRecord) })).buffer;
    assert.deepEqual(ours, expected, `batch ${i}`);
    compared += expected.length;
  }
  assert.ok(compared > 200_000);
});

Deno.test("batches kafkajs must encode itself are left to it", () => {
  const record = sizeRecord({ key: "k", value: "v" });
  assert.ok(record instanceof PendingRecord);
  assert.ok(encodeRecordBatch({ records: [record] }));
  assert.equal(encodeRecordBatch({ records: [] }), undefined);
  assert.equal(encodeRecordBatch({}), undefined);
  assert.equal(encodeRecordBatch({ compression: 1, records: [record] }), undefined);
  assert.equal(
    encodeRecordBatch({ records: [record, kafkajsRecord({ key: "k", value: "v" })] }),
    undefined,
  );
});

Deno.test("64-bit fields are read as kafkajs's Long.fromValue reads them, errors too", async () => {
  const readable = [
    0,
    -1,
    2 ** 53 - 1,
    NaN,
    "NaN",
    "-Infinity",
    "+Infinity",
    "-42",
    "0x10",
    7n,
    true,
  ];
  for (const value of [...readable, Long.fromValue("-9223372036854775808")]) {
    assert.equal(int64(value), Long.fromValue(value).value, String(value));
  }
  const record = sizeRecord({ value: "v" });
  for (const value of ["", "1.5", 1.5, Infinity, null, {}]) {
    const kafkajsError = await kafkajsRecordBatch({
      producerId: value,
      records: [kafkajsRecord({ value: "v" })],
    }).then(() => undefined, (error) => error);
    assert.ok(kafkajsError instanceof Error, `kafkajs rejects ${String(value)}`);
    assert.throws(
      () => encodeRecordBatch({ producerId: value, records: [record] }),
      (error: unknown) => error instanceof Error && error.constructor === kafkajsError.constructor,
      String(value),
    );
  }
});
