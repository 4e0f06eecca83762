import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { random, randomInteger, VARINT_EDGES, VARLONG_EDGES } from "./random_inputs.ts";
import {
  isSmallLong,
  uVarIntSize,
  varLongSize,
  writeUVarIntAt,
  writeVarLongAt,
  zigZag32,
} from "./varint.ts";
import { kafkajsRequire } from "../kafkajs_upstream.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

// Nothing in this test module installs the speedups: this Encoder is kafkajs's own.
const require = kafkajsRequire();
const Encoder: Any = require("./src/protocol/encoder.js");

function written(write: (buf: Uint8Array, at: number) => number): Buffer {
  const buf = new Uint8Array(16).fill(0xaa);
  const end = write(buf, 3);
  return Buffer.from(buf.subarray(3, end));
}

const next = random(2);
const INTS = [...VARINT_EDGES, ...Array.from({ length: 3_000 }, () => randomInteger(next))];

Deno.test("varints are sized and written byte for byte as kafkajs's Encoder", () => {
  for (const value of INTS) {
    assert.deepEqual(
      written((buf, at) => writeUVarIntAt(buf, at, zigZag32(value))),
      new Encoder().writeVarInt(value).buffer,
      `varint ${value}`,
    );
    assert.deepEqual(
      written((buf, at) => writeUVarIntAt(buf, at, value >>> 0)),
      new Encoder().writeUVarInt(value >>> 0).buffer,
      `unsigned varint ${value >>> 0}`,
    );
    assert.equal(uVarIntSize(zigZag32(value)), Encoder.sizeOfVarInt(value), `size of ${value}`);
    assert.equal(zigZag32(value), Encoder.encodeZigZag(value));
  }
});

Deno.test("varlongs of integers below 2^52 are sized and written as kafkajs's Encoder", () => {
  let small = 0;
  for (const value of [...VARLONG_EDGES, ...INTS]) {
    if (!isSmallLong(value)) continue;
    small++;
    assert.deepEqual(
      written((buf, at) => writeVarLongAt(buf, at, value)),
      new Encoder().writeVarLong(value).buffer,
      `varlong ${value}`,
    );
    assert.equal(varLongSize(value), Encoder.sizeOfVarLong(value), `size of ${value}`);
  }
  assert.ok(small > 2_000);
});

Deno.test("only integers of magnitude below 2^52 count as small longs", () => {
  for (const value of [0, -1, 2 ** 52 - 1, -(2 ** 52)]) assert.ok(isSmallLong(value), `${value}`);
  for (const value of [2 ** 52, -(2 ** 52) - 1, 1.5, NaN, Infinity, "1", 1n, null, undefined]) {
    assert.ok(!isSmallLong(value), String(value));
  }
});
