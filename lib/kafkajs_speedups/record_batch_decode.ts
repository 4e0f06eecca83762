/**
 * Kafka record batches (magic 2) decoded into exactly the objects kafkajs 2.2.4's RecordBatch
 * decoder gives, without its per-record costs: kafkajs copies each record into a Decoder of its
 * own, reads every timestamp delta as a BigInt and parses the batch's first offset and first
 * timestamp from decimal text once per record. Here records are read in place, and offsets and
 * timestamps are added as numbers while they stay exact (below 2^52).
 *
 * A record that does not fit that (a varlong of more than four bytes, a base beyond 2^52, bytes
 * past its end) is handed to kafkajs's own record decoder, so the result is kafkajs's whatever
 * the input.
 */
import type { Buffer } from "node:buffer";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The kafkajs modules the decoder reproduces and falls back to. */
export interface KafkajsDecoding {
  Decoder: Any;
  RecordDecoder: (decoder: Any, batchContext: Any) => Any;
  lookupCodecByAttributes: (attributes: number) => Any;
  KafkaJSPartialMessageError: new (message: string) => Error;
  CREATE_TIME: number;
  LOG_APPEND_TIME: number;
}

export function kafkajsDecoding(require: (id: string) => Any): KafkajsDecoding {
  const timestampTypes = require("./src/protocol/timestampTypes.js");
  return {
    Decoder: require("./src/protocol/decoder.js"),
    RecordDecoder: require("./src/protocol/recordBatch/record/v0/decoder.js"),
    lookupCodecByAttributes:
      require("./src/protocol/message/compression/index.js").lookupCodecByAttributes,
    KafkaJSPartialMessageError: require("./src/errors.js").KafkaJSPartialMessageError,
    CREATE_TIME: timestampTypes.CREATE_TIME,
    LOG_APPEND_TIME: timestampTypes.LOG_APPEND_TIME,
  };
}

const TIMESTAMP_TYPE_FLAG_MASK = 0x8;
const TRANSACTIONAL_FLAG_MASK = 0x10;
const CONTROL_FLAG_MASK = 0x20;
/** Bases and sums below this stay exact as numbers, with any delta a record can carry. */
const EXACT_LIMIT = 2 ** 52;

/** Counts since the start, for the speedups' status. */
export const decodeCounts = { batches: 0, kafkajsRecords: 0 };

/** kafkajs's RecordBatch decoder (protocol/recordBatch/v0/decoder.js), records read in place. */
export function fastRecordBatchDecoder(kafkajs: KafkajsDecoding) {
  return async (fetchDecoder: Any) => {
    const firstOffset = fetchDecoder.readInt64().toString();
    const length = fetchDecoder.readInt32();
    const decoder = fetchDecoder.slice(length);
    fetchDecoder.forward(length);
    const remainingBytes = decoder.buffer.length;
    if (remainingBytes < length) {
      throw new kafkajs.KafkaJSPartialMessageError(
        `Tried to decode a partial record batch: remainingBytes(${remainingBytes}) < recordBatchLength(${length})`,
      );
    }
    const partitionLeaderEpoch = decoder.readInt32();
    const magicByte = decoder.readInt8();
    decoder.readInt32(); // crc, not checked (nor by kafkajs)
    const attributes = decoder.readInt16();
    const lastOffsetDelta = decoder.readInt32();
    const firstTimestamp = decoder.readInt64().toString();
    const maxTimestamp = decoder.readInt64().toString();
    const producerId = decoder.readInt64().toString();
    const producerEpoch = decoder.readInt16();
    const firstSequence = decoder.readInt32();
    const recordContext = {
      firstOffset,
      firstTimestamp,
      partitionLeaderEpoch,
      inTransaction: (attributes & TRANSACTIONAL_FLAG_MASK) > 0,
      isControlBatch: (attributes & CONTROL_FLAG_MASK) > 0,
      lastOffsetDelta,
      producerId,
      producerEpoch,
      firstSequence,
      maxTimestamp,
      timestampType: (attributes & TIMESTAMP_TYPE_FLAG_MASK) > 0
        ? kafkajs.LOG_APPEND_TIME
        : kafkajs.CREATE_TIME,
    };
    const codec = kafkajs.lookupCodecByAttributes(attributes);
    const batchContext = { ...recordContext, magicByte };
    const count = decoder.readInt32();
    let records: Any[];
    if (!codec) {
      records = count === -1 ? [] : readRecords(kafkajs, decoder, count, batchContext);
    } else if (count <= 0) {
      records = [];
    } else {
      const decompressed = await codec.decompress(decoder.readAll());
      records = readRecords(kafkajs, new kafkajs.Decoder(decompressed), count, batchContext);
    }
    decodeCounts.batches++;
    return { ...recordContext, records };
  };
}

type BatchContext = {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  isControlBatch: boolean;
  timestampType: number;
  magicByte: number;
};

/** `count` records from `decoder`'s position, each as kafkajs's `decodeRecord` reads it. */
function readRecords(
  kafkajs: KafkajsDecoding,
  decoder: Any,
  count: number,
  batchContext: BatchContext,
): Any[] {
  const buf: Buffer = decoder.buffer;
  const offsetBase = Number(batchContext.firstOffset);
  const timestampBase = Number(batchContext.firstTimestamp);
  const exact = Math.abs(offsetBase) < EXACT_LIMIT && Math.abs(timestampBase) < EXACT_LIMIT;
  const appendTime = batchContext.timestampType === kafkajs.LOG_APPEND_TIME &&
    batchContext.maxTimestamp;
  const records = new Array(count);
  for (let i = 0; i < count; i++) {
    // The record's length, as kafkajs's readVarIntBytes reads it.
    const length = readVarInt(buf, decoder, buf.length);
    const start = decoder.offset;
    const end = start + length;
    const record = exact && length >= 0 && end <= buf.length
      ? readRecord(buf, start, end, offsetBase, timestampBase, appendTime, batchContext)
      : undefined;
    if (record) {
      records[i] = record;
    } else {
      decodeCounts.kafkajsRecords++;
      const bytes = length === -1 ? null : buf.slice(start, end);
      records[i] = kafkajs.RecordDecoder(new kafkajs.Decoder(bytes), batchContext);
    }
    decoder.offset = length === -1 ? start : end;
  }
  return records;
}

/** kafkajs's Decoder.readVarInt at `cursor.offset`, or NaN past `end`. */
function readVarInt(buf: Buffer, cursor: { offset: number }, end: number): number {
  let currentByte: number;
  let result = 0;
  let i = 0;
  do {
    if (cursor.offset >= end) return NaN;
    currentByte = buf[cursor.offset++];
    result += (currentByte & 0x7f) << i;
    i += 7;
  } while (currentByte >= 0x80);
  return (result >>> 1) ^ -(result & 1);
}

/** A varlong of at most four bytes (28 bits), zigzag-decoded; NaN for longer ones or past `end`. */
function readShortVarLong(buf: Buffer, cursor: { offset: number }, end: number): number {
  let result = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (cursor.offset >= end) return NaN;
    const byte = buf[cursor.offset++];
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) return (result >>> 1) ^ -(result & 1);
  }
  return NaN;
}

/** kafkajs's readVarIntBytes; undefined past `end`. */
function readBytes(
  buf: Buffer,
  cursor: { offset: number },
  end: number,
): Buffer | null | undefined {
  const length = readVarInt(buf, cursor, end);
  if (length === -1) return null;
  if (!(length >= 0) || cursor.offset + length > end) return undefined;
  const bytes = buf.slice(cursor.offset, cursor.offset + length);
  cursor.offset += length;
  return bytes;
}

/** One record in buf[start, end), as kafkajs's record decoder gives it; undefined if unsure. */
function readRecord(
  buf: Buffer,
  start: number,
  end: number,
  offsetBase: number,
  timestampBase: number,
  appendTime: string | false,
  batchContext: BatchContext,
): Any {
  if (start >= end) return undefined;
  const cursor = { offset: start + 1 };
  const attributes = (buf[start] << 24) >> 24;
  const timestampDelta = readShortVarLong(buf, cursor, end);
  if (Number.isNaN(timestampDelta)) return undefined;
  const offsetDelta = readVarInt(buf, cursor, end);
  if (Number.isNaN(offsetDelta)) return undefined;
  const key = readBytes(buf, cursor, end);
  if (key === undefined) return undefined;
  const value = readBytes(buf, cursor, end);
  if (value === undefined) return undefined;
  const headerCount = readVarInt(buf, cursor, end);
  if (!(headerCount >= -1)) return undefined; // kafkajs throws for those: let it
  let headers: Record<string, Any> = {};
  if (headerCount > 0) {
    const list: { key: string | null; value: Buffer | null }[] = [];
    for (let h = 0; h < headerCount; h++) {
      const keyLength = readVarInt(buf, cursor, end);
      if (!(keyLength >= -1) || cursor.offset + keyLength > end) return undefined;
      let headerKey: string | null = null;
      if (keyLength !== -1) {
        headerKey = buf.toString("utf8", cursor.offset, cursor.offset + keyLength);
        cursor.offset += keyLength;
      }
      const headerValue = readBytes(buf, cursor, end);
      if (headerValue === undefined) return undefined;
      list.push({ key: headerKey, value: headerValue });
    }
    headers = kafkajsHeaders(list);
  }
  return {
    magicByte: batchContext.magicByte,
    attributes,
    timestamp: appendTime ? appendTime : String(timestampBase + timestampDelta),
    offset: String(offsetBase + offsetDelta),
    key,
    value,
    headers,
    isControlRecord: batchContext.isControlBatch,
    batchContext,
  };
}

/** Headers folded as kafkajs folds them: a repeated key collects its values in an array. */
function kafkajsHeaders(list: { key: string | null; value: Buffer | null }[]) {
  return list.reduce(
    (obj: Record<string, Any>, { key, value }) => ({
      ...obj,
      [key as string]: obj[key as string] === undefined
        ? value
        : Array.isArray(obj[key as string])
        ? obj[key as string].concat([value])
        : [obj[key as string], value],
    }),
    {},
  );
}
