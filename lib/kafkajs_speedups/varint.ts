/**
 * Kafka's varints (zig-zag, LEB128), sized and written into an existing buffer exactly as
 * kafkajs 2.2.4's Encoder writes them, without its per-varint Buffer and BigInt objects.
 */

/** Zig-zag encoding of a 32-bit integer, as kafkajs's Encoder.encodeZigZag. */
export function zigZag32(value: number): number {
  return (value << 1) ^ (value >> 31);
}

/** Bytes of kafkajs's unsigned varint of `value` (treated as a 32-bit integer). */
export function uVarIntSize(value: number): number {
  let bytes = 1;
  while ((value & 0xffffff80) !== 0) {
    bytes++;
    value >>>= 7;
  }
  return bytes;
}

/** Writes the unsigned varint of `value` at `at`; returns the offset after it. */
export function writeUVarIntAt(buf: Uint8Array, at: number, value: number): number {
  while ((value & 0xffffff80) !== 0) {
    buf[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[at++] = value & 0x7f;
  return at;
}

/** Integers whose zig-zag encoding is exact as a double (below 2^53): the ones handled here. */
export function isSmallLong(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= -(2 ** 52) && (value as number) < 2 ** 52;
}

/** The zig-zag encoding of a 64-bit value, for isSmallLong values. */
export function zigZag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Bytes of the varlong of an isSmallLong value. */
export function varLongSize(value: number): number {
  let zz = zigZag64(value);
  let bytes = 1;
  while (zz >= 128) {
    bytes++;
    zz = Math.floor(zz / 128);
  }
  return bytes;
}

/** Writes the varlong of an isSmallLong value at `at`; returns the offset after it. */
export function writeVarLongAt(buf: Uint8Array, at: number, value: number): number {
  let zz = zigZag64(value);
  while (zz >= 128) {
    buf[at++] = (zz % 128) | 0x80;
    zz = Math.floor(zz / 128);
  }
  buf[at++] = zz;
  return at;
}
