/**
 * Kafka record batches (magic 2), encoded byte for byte as kafkajs 2.2.4's Record and
 * RecordBatch encode them, but sized first and written into one buffer per batch.
 *
 * `sizeRecord` and `encodeRecordBatch` take kafkajs's arguments. They return undefined for
 * what they do not handle (compression, Uint8Array or other non-Buffer keys and values, null
 * header values, timestamp deltas beyond 2^52): the caller then uses kafkajs's own code.
 */
import { Buffer } from "node:buffer";
import { crc32C } from "./crc32c.ts";
import {
  isSmallLong,
  uVarIntSize,
  varLongSize,
  writeUVarIntAt,
  writeVarLongAt,
  zigZag32,
} from "./varint.ts";

export type Bytes = Buffer | string | null | undefined;

/** The arguments of kafkajs's Record (protocol/recordBatch/record/v0). */
export interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: unknown;
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
}

function isPlainBytes(value: unknown): value is Bytes {
  return value == null || typeof value === "string" || Buffer.isBuffer(value);
}

function bytesLength(value: Bytes): number {
  if (value == null) return -1;
  return typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.length;
}

/** Size of varint-prefixed bytes: a length of -1 (null) is one byte. */
function varIntBytesSize(length: number): number {
  return length < 0 ? 1 : uVarIntSize(zigZag32(length)) + length;
}

function writeVarIntBytesAt(buf: Buffer, at: number, value: Bytes, length: number): number {
  at = writeUVarIntAt(buf, at, zigZag32(length));
  if (value == null) return at;
  if (typeof value === "string") buf.write(value, at, length, "utf8");
  else buf.set(value, at);
  return at + length;
}

/**
 * One record of a batch, sized but not yet written: the batch writes all its records into one
 * buffer. `buf`/`buffer`/`offset`/`size()` make it usable wherever kafkajs expects a record's
 * Encoder (kafkajs's compressed batches read them).
 */
export class PendingRecord {
  #bytes: Buffer | undefined;

  constructor(
    readonly offsetDelta: number,
    readonly timestampDelta: number,
    readonly key: Bytes,
    readonly keyLength: number,
    readonly value: Bytes,
    readonly valueLength: number,
    readonly headers: readonly [string, number, Bytes, number][],
    readonly bodySize: number,
    readonly byteLength: number,
  ) {}

  writeTo(buf: Buffer, at: number): number {
    at = writeUVarIntAt(buf, at, zigZag32(this.bodySize));
    buf[at++] = 0; // attributes: none are used
    at = writeVarLongAt(buf, at, this.timestampDelta);
    at = writeUVarIntAt(buf, at, zigZag32(this.offsetDelta));
    at = writeVarIntBytesAt(buf, at, this.key, this.keyLength);
    at = writeVarIntBytesAt(buf, at, this.value, this.valueLength);
    at = writeUVarIntAt(buf, at, zigZag32(this.headers.length));
    for (const [key, keyLength, value, valueLength] of this.headers) {
      at = writeVarIntBytesAt(buf, at, key, keyLength);
      at = writeVarIntBytesAt(buf, at, value, valueLength);
    }
    return at;
  }

  get buf(): Buffer {
    if (!this.#bytes) {
      this.#bytes = Buffer.alloc(this.byteLength);
      this.writeTo(this.#bytes, 0);
    }
    return this.#bytes;
  }

  get buffer(): Buffer {
    return this.buf;
  }

  get offset(): number {
    return this.byteLength;
  }

  size(): number {
    return this.byteLength;
  }
}

/** kafkajs's Record as a PendingRecord, or undefined for what kafkajs must encode itself. */
export function sizeRecord(args: RecordArgs): PendingRecord | undefined {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = args;
  if (
    !isSmallLong(timestampDelta) || !isPlainBytes(key) || !isPlainBytes(value) ||
    typeof headers !== "object" || headers === null
  ) {
    return undefined;
  }
  const headerList: [string, number, Bytes, number][] = [];
  let headersSize = 0;
  for (const headerKey of Object.keys(headers)) {
    const headerValue = headers[headerKey];
    for (const item of Array.isArray(headerValue) ? headerValue : [headerValue]) {
      // kafkajs cannot size null or non-byte header values; let it do whatever it does.
      if (item == null || !isPlainBytes(item)) return undefined;
      const keyLength = Buffer.byteLength(headerKey, "utf8");
      const valueLength = bytesLength(item);
      headerList.push([headerKey, keyLength, item, valueLength]);
      headersSize += varIntBytesSize(keyLength) + varIntBytesSize(valueLength);
    }
  }
  const keyLength = bytesLength(key);
  const valueLength = bytesLength(value);
  const bodySize = 1 + varLongSize(timestampDelta) + uVarIntSize(zigZag32(offsetDelta)) +
    varIntBytesSize(keyLength) + varIntBytesSize(valueLength) +
    uVarIntSize(zigZag32(headerList.length)) + headersSize;
  return new PendingRecord(
    offsetDelta,
    timestampDelta,
    key,
    keyLength,
    value,
    valueLength,
    headerList,
    bodySize,
    uVarIntSize(zigZag32(bodySize)) + bodySize,
  );
}

/**
 * A 64-bit field as kafkajs's Long.fromValue reads it: numbers, decimal strings, bigints and
 * Long objects (whose `value` is a bigint); NaN and the infinities as strings count as 0.
 */
export function int64(value: unknown): bigint {
  if (typeof value === "number") return Number.isNaN(value) ? 0n : BigInt(value);
  if (typeof value === "string") {
    if (value.length === 0) throw new Error("empty string");
    if (["NaN", "Infinity", "+Infinity", "-Infinity"].includes(value)) return 0n;
    return BigInt(value);
  }
  if (typeof value === "bigint") return value;
  const long = (value as { value?: unknown }).value; // throws for null, as kafkajs does
  if (typeof long === "bigint") return long;
  return BigInt(value as bigint);
}

function writeInt64At(buf: Buffer, at: number, value: unknown): void {
  buf.writeBigInt64BE(BigInt.asIntN(64, int64(value)), at);
}

/** The arguments of kafkajs's RecordBatch (protocol/recordBatch/v0). */
export interface RecordBatchArgs {
  compression?: number;
  firstOffset?: unknown;
  firstTimestamp?: unknown;
  maxTimestamp?: unknown;
  partitionLeaderEpoch?: number;
  lastOffsetDelta?: number;
  transactional?: boolean;
  producerId?: unknown;
  producerEpoch?: number;
  firstSequence?: number;
  records?: unknown[];
}

const MAGIC_BYTE = 2;
const TRANSACTIONAL_MASK = 16;
const COMPRESSION_NONE = 0;
// attributes(2) lastOffsetDelta(4) firstTimestamp(8) maxTimestamp(8) producerId(8)
// producerEpoch(2) firstSequence(4) records count(4)
const BATCH_BODY_HEADER = 40;
// firstOffset(8) batch length(4) partitionLeaderEpoch(4) magic(1) crc(4)
const BATCH_HEADER = 21;

/**
 * kafkajs's RecordBatch bytes for an uncompressed batch of PendingRecords; undefined for any
 * other batch.
 */
export function encodeRecordBatch(args: RecordBatchArgs): Buffer | undefined {
  const {
    compression = COMPRESSION_NONE,
    firstOffset = 0,
    firstTimestamp = Date.now(),
    maxTimestamp = Date.now(),
    partitionLeaderEpoch = 0,
    lastOffsetDelta = 0,
    transactional = false,
    producerId = -1,
    producerEpoch = 0,
    firstSequence = 0,
    records = [],
  } = args;
  if (
    compression !== COMPRESSION_NONE || records.length === 0 ||
    !records.every((r) => r instanceof PendingRecord)
  ) {
    return undefined;
  }
  let recordsSize = 0;
  for (const record of records as PendingRecord[]) recordsSize += record.byteLength;
  const total = BATCH_HEADER + BATCH_BODY_HEADER + recordsSize;
  const buf = Buffer.alloc(total);
  writeInt64At(buf, 0, firstOffset);
  buf.writeInt32BE(total - 12, 8);
  buf.writeInt32BE(partitionLeaderEpoch, 12);
  buf.writeInt8(MAGIC_BYTE, 16);
  // CRC at 17, once the body is written.
  const at = BATCH_HEADER;
  buf.writeInt16BE(transactional ? TRANSACTIONAL_MASK : 0, at); // attributes; no compression
  buf.writeInt32BE(lastOffsetDelta, at + 2);
  writeInt64At(buf, at + 6, firstTimestamp);
  writeInt64At(buf, at + 14, maxTimestamp);
  writeInt64At(buf, at + 22, producerId);
  buf.writeInt16BE(producerEpoch, at + 30);
  buf.writeInt32BE(firstSequence, at + 32);
  buf.writeInt32BE(records.length, at + 36);
  let end = at + BATCH_BODY_HEADER;
  for (const record of records as PendingRecord[]) end = record.writeTo(buf, end);
  buf.writeUInt32BE(crc32C(buf, BATCH_HEADER, total), 17);
  return buf;
}
