/**
 * Faster, byte-identical replacements for kafkajs 2.2.4's produce hot path.
 *
 * kafkajs encodes every record through `new Encoder()` (a zero-filled 512-byte Buffer), builds a
 * Buffer per varint, computes varlongs with BigInt objects and CRC32C a byte at a time, and
 * groups a request's messages by partition in quadratic time. Under Deno's Node compatibility
 * Buffer allocation is slow, so most of a producer's CPU went there. This module swaps in:
 *
 * - Encoder varint/varlong writers that write into the existing buffer (all requests);
 * - a Record/RecordBatch pair that sizes a whole uncompressed batch first and writes it into
 *   one buffer, with a slicing-by-8 CRC32C; anything unusual (compression, odd key or header
 *   types, timestamps beyond 2^52) goes to kafkajs's own code;
 * - a linear groupMessagesPerPartition.
 *
 * kafkajs is CommonJS, and `createRequire` reaches the very module instances that kafkajs itself
 * uses (`kafkajs_speedups_test.ts` checks this). Replaced functions are installed as dispatchers
 * so that `setKafkajsSpeedups(false)` gives back the original behaviour (tests, benchmarks).
 *
 * Limits: the Record/RecordBatch dispatchers are bound when kafkajs first builds a produce
 * request, which this module forces by evicting those request modules from the require cache.
 * groupMessagesPerPartition is bound when kafkajs itself is first evaluated, so the grouping
 * speedup needs this module to be evaluated first: import it before "kafkajs" (lib/kafka.ts does).
 */
import { Buffer } from "node:buffer";
import { createRequire } from "node:module";

// deno-lint-ignore no-explicit-any
type Any = any;

const require = createRequire(import.meta.resolve("kafkajs"));
const SRC = "./src/";

function modulePath(relative: string): string {
  return require.resolve(SRC + relative);
}

const GROUPING_PATH = modulePath("producer/groupMessagesPerPartition.js");
const SEND_MESSAGES_PATH = modulePath("producer/sendMessages.js");
// Whether kafkajs bound its grouping function before this module could replace it.
const groupingBoundEarly = SEND_MESSAGES_PATH in require.cache;

const Encoder: Any = require(SRC + "protocol/encoder.js");
const Long: Any = require(SRC + "utils/long.js");
const recordBatchModule: Any = require(SRC + "protocol/recordBatch/v0/index.js");
const RECORD_PATH = modulePath("protocol/recordBatch/record/v0/index.js");

/** kafkajs's own functions, as loaded before any replacement. */
export const kafkajsOriginals = {
  Record: require(RECORD_PATH) as (args: RecordArgs) => Any,
  RecordBatch: recordBatchModule.RecordBatch as (args: Any) => Promise<Any>,
  crc32C: require(SRC + "protocol/recordBatch/crc32C/index.js") as (buffer: Buffer) => number,
  groupMessagesPerPartition: require(GROUPING_PATH) as (args: GroupingArgs) => Any,
  writeUVarInt: Encoder.prototype.writeUVarInt as (value: number) => Any,
  writeVarLong: Encoder.prototype.writeVarLong as (value: Any) => Any,
  sizeOfVarLong: Encoder.sizeOfVarLong as (value: Any) => number,
};

let enabled = false;
// Record batches written by fastRecordBatch and handed to kafkajs's own, since the start.
const batchCounts = { fast: 0, kafkajs: 0 };

// ---------------------------------------------------------------------------------------------
// CRC32C (Castagnoli), slicing-by-8

const CRC_TABLES = (() => {
  const tables = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) {
      const previous = tables[(t - 1) * 256 + n];
      tables[t * 256 + n] = tables[previous & 0xff] ^ (previous >>> 8);
    }
  }
  return tables;
})();

/** CRC32C of `bytes[start, end)`, as an unsigned 32-bit number. */
export function crc32C(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = CRC_TABLES;
  let crc = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const low = crc ^
      (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    const high = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    crc = t[1792 + (low & 0xff)] ^ t[1536 + ((low >>> 8) & 0xff)] ^
      t[1280 + ((low >>> 16) & 0xff)] ^ t[1024 + (low >>> 24)] ^
      t[768 + (high & 0xff)] ^ t[512 + ((high >>> 8) & 0xff)] ^
      t[256 + ((high >>> 16) & 0xff)] ^ t[high >>> 24];
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Varints, written the way kafkajs writes them (zig-zag, LEB128)

function zigZag32(value: number): number {
  return (value << 1) ^ (value >> 31);
}

/** Bytes of kafkajs's unsigned varint of `value` (treated as a 32-bit integer). */
function uVarIntSize(value: number): number {
  let bytes = 1;
  while ((value & 0xffffff80) !== 0) {
    bytes++;
    value >>>= 7;
  }
  return bytes;
}

function writeUVarIntAt(buf: Uint8Array, at: number, value: number): number {
  while ((value & 0xffffff80) !== 0) {
    buf[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[at++] = value & 0x7f;
  return at;
}

/** Integers whose zig-zag encoding is exact as a double (below 2^53). */
function isSmallLong(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= -(2 ** 52) && (value as number) < 2 ** 52;
}

/** The zig-zag encoding of a 64-bit value, for isSmallLong values. */
function zigZag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function varLongSize(value: number): number {
  let zz = zigZag64(value);
  let bytes = 1;
  while (zz >= 128) {
    bytes++;
    zz = Math.floor(zz / 128);
  }
  return bytes;
}

function writeVarLongAt(buf: Uint8Array, at: number, value: number): number {
  let zz = zigZag64(value);
  while (zz >= 128) {
    buf[at++] = (zz % 128) | 0x80;
    zz = Math.floor(zz / 128);
  }
  buf[at++] = zz;
  return at;
}

function fastWriteUVarInt(this: Any, value: number): Any {
  const size = uVarIntSize(value);
  this.ensureAvailable(size);
  this.offset = writeUVarIntAt(this.buf, this.offset, value);
  return this;
}

function fastWriteVarLong(this: Any, value: Any): Any {
  if (!isSmallLong(value)) return kafkajsOriginals.writeVarLong.call(this, value);
  this.ensureAvailable(varLongSize(value));
  this.offset = writeVarLongAt(this.buf, this.offset, value);
  return this;
}

function fastSizeOfVarLong(value: Any): number {
  if (!isSmallLong(value)) return kafkajsOriginals.sizeOfVarLong.call(Encoder, value);
  return varLongSize(value);
}

// ---------------------------------------------------------------------------------------------
// Records and record batches

type Bytes = Buffer | string | null | undefined;

interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: Any;
  key?: Any;
  value?: Any;
  headers?: Record<string, Any>;
}

function isPlainBytes(value: unknown): value is Bytes {
  return value == null || typeof value === "string" || Buffer.isBuffer(value);
}

function bytesLength(value: Bytes): number {
  if (value == null) return -1;
  return typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.length;
}

/** Size of kafkajs's varint-prefixed bytes: a length of -1 (null) is one byte. */
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
 * buffer. `buf`/`buffer`/`size()` make it usable wherever kafkajs expects a record's Encoder.
 */
class PendingRecord {
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

/** kafkajs's Record (protocol/recordBatch/record/v0), returning a PendingRecord. */
export function fastRecord(args: RecordArgs): PendingRecord | Any {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = args;
  if (
    !isSmallLong(timestampDelta) || !isPlainBytes(key) || !isPlainBytes(value) ||
    typeof headers !== "object" || headers === null
  ) {
    return kafkajsOriginals.Record(args);
  }
  const headerList: [string, number, Bytes, number][] = [];
  let headersSize = 0;
  for (const headerKey of Object.keys(headers)) {
    const headerValue = headers[headerKey];
    for (const item of Array.isArray(headerValue) ? headerValue : [headerValue]) {
      // kafkajs cannot size null or non-byte header values; let it do whatever it does.
      if (item == null || !isPlainBytes(item)) return kafkajsOriginals.Record(args);
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

const MAGIC_BYTE = 2;
const TRANSACTIONAL_MASK = 16;
const COMPRESSION_NONE = 0;
const COMPRESSION_CODEC_MASK = 0x07;
// attributes(2) lastOffsetDelta(4) firstTimestamp(8) maxTimestamp(8) producerId(8)
// producerEpoch(2) firstSequence(4) records count(4)
const BATCH_BODY_HEADER = 40;
// firstOffset(8) batch length(4) partitionLeaderEpoch(4) magic(1) crc(4)
const BATCH_HEADER = 21;

function writeInt64At(buf: Buffer, at: number, value: Any): void {
  const long = Long.fromValue(value);
  buf.writeInt32BE(long.getHighBits(), at);
  buf.writeInt32BE(long.getLowBits(), at + 4);
}

/** kafkajs's RecordBatch (protocol/recordBatch/v0) for uncompressed batches of PendingRecords. */
export function fastRecordBatch(args: Any): Promise<Any> {
  const {
    compression = COMPRESSION_NONE,
    firstOffset = Long.fromInt(0),
    firstTimestamp = Date.now(),
    maxTimestamp = Date.now(),
    partitionLeaderEpoch = 0,
    lastOffsetDelta = 0,
    transactional = false,
    producerId = Long.fromValue(-1),
    producerEpoch = 0,
    firstSequence = 0,
    records = [],
  } = args;
  if (
    compression !== COMPRESSION_NONE || records.length === 0 ||
    !records.every((r: unknown) => r instanceof PendingRecord)
  ) {
    batchCounts.kafkajs++;
    return kafkajsOriginals.RecordBatch(args);
  }
  batchCounts.fast++;
  let recordsSize = 0;
  for (const record of records as PendingRecord[]) recordsSize += record.byteLength;
  const bodyStart = BATCH_HEADER;
  const total = BATCH_HEADER + BATCH_BODY_HEADER + recordsSize;
  const buf = Buffer.alloc(total);
  writeInt64At(buf, 0, firstOffset);
  buf.writeInt32BE(total - 12, 8);
  buf.writeInt32BE(partitionLeaderEpoch, 12);
  buf.writeInt8(MAGIC_BYTE, 16);
  // CRC at 17, once the body is written.
  let at = bodyStart;
  const attributes = (compression & COMPRESSION_CODEC_MASK) |
    (transactional ? TRANSACTIONAL_MASK : 0);
  buf.writeInt16BE(attributes, at);
  buf.writeInt32BE(lastOffsetDelta, at + 2);
  writeInt64At(buf, at + 6, firstTimestamp);
  writeInt64At(buf, at + 14, maxTimestamp);
  writeInt64At(buf, at + 22, producerId);
  buf.writeInt16BE(producerEpoch, at + 30);
  buf.writeInt32BE(firstSequence, at + 32);
  buf.writeInt32BE(records.length, at + 36);
  at += BATCH_BODY_HEADER;
  for (const record of records as PendingRecord[]) at = record.writeTo(buf, at);
  buf.writeUInt32BE(crc32C(buf, bodyStart, total), 17);
  // An Encoder holding exactly the batch, as kafkajs's RecordBatch returns.
  const encoder = Object.create(Encoder.prototype);
  encoder.buf = buf;
  encoder.offset = total;
  return Promise.resolve(encoder);
}

// ---------------------------------------------------------------------------------------------
// Grouping a request's messages by partition

interface GroupingArgs {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => Any;
}

/** kafkajs's groupMessagesPerPartition in linear time: same partitioner calls, same result. */
export function groupMessagesLinear(
  { topic, partitionMetadata, messages, partitioner }: GroupingArgs,
): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Installation

function installExports(path: string, exports: unknown): void {
  require(path);
  require.cache[path]!.exports = exports;
}

installExports(
  RECORD_PATH,
  (args: RecordArgs) => enabled ? fastRecord(args) : kafkajsOriginals.Record(args),
);
recordBatchModule.RecordBatch = (args: Any) =>
  enabled ? fastRecordBatch(args) : kafkajsOriginals.RecordBatch(args);
installExports(
  GROUPING_PATH,
  (args: GroupingArgs) =>
    enabled ? groupMessagesLinear(args) : kafkajsOriginals.groupMessagesPerPartition(args),
);
// The produce requests bind Record and RecordBatch when evaluated, and kafkajs requires them
// anew for each request: evicted, they are evaluated again with the dispatchers above.
for (const version of [3, 4, 5, 6, 7]) {
  delete require.cache[modulePath(`protocol/requests/produce/v${version}/request.js`)];
}

/** Turns the replacements on (the default once `applyKafkajsSpeedups` ran) or off. */
export function setKafkajsSpeedups(on: boolean): void {
  enabled = on;
  Encoder.prototype.writeUVarInt = on ? fastWriteUVarInt : kafkajsOriginals.writeUVarInt;
  Encoder.prototype.writeVarLong = on ? fastWriteVarLong : kafkajsOriginals.writeVarLong;
  Encoder.sizeOfVarLong = on ? fastSizeOfVarLong : kafkajsOriginals.sizeOfVarLong;
}

export function applyKafkajsSpeedups(): void {
  setKafkajsSpeedups(true);
}

export interface KafkajsSpeedupStatus {
  encoder: boolean;
  records: boolean;
  /** False when kafkajs was loaded before this module and bound its own grouping. */
  grouping: boolean;
  /** Record batches encoded here and, for what this module does not handle, by kafkajs. */
  batches: { fast: number; kafkajs: number };
}

export function kafkajsSpeedupStatus(): KafkajsSpeedupStatus {
  return {
    encoder: enabled,
    records: enabled,
    grouping: enabled && !groupingBoundEarly,
    batches: { ...batchCounts },
  };
}
