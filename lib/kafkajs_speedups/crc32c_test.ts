import assert from "node:assert/strict";
import type { Buffer } from "node:buffer";
import { crc32C } from "./crc32c.ts";
import { random, randomBytes } from "./random_inputs.ts";
import { kafkajsRequire } from "../kafkajs_upstream.ts";

const require = kafkajsRequire();
const kafkajsCrc32C: (buffer: Buffer) => number = require(
  "./src/protocol/recordBatch/crc32C/index.js",
);

Deno.test("CRC32C gives the standard check value and RFC 3720's test vectors", () => {
  assert.equal(crc32C(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32C(new Uint8Array(0)), 0);
  const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.equal(crc32C(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32C(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32C(ascending), 0x46dd794e);
  assert.equal(crc32C(ascending.slice().reverse()), 0x113fdb5c);
});

Deno.test("CRC32C of any range equals kafkajs's CRC32C of that range", () => {
  const next = random(1);
  for (let i = 0; i < 2_000; i++) {
    const bytes = randomBytes(next, i < 1_000 ? 40 : 3_000);
    const start = Math.floor(next() * Math.min(9, bytes.length + 1));
    const end = next() < 0.5 ? bytes.length : start + Math.floor(next() * (bytes.length - start));
    assert.equal(
      crc32C(bytes, start, end),
      kafkajsCrc32C(bytes.subarray(start, end)),
      `length ${bytes.length}, start ${start}, end ${end}`,
    );
  }
});
