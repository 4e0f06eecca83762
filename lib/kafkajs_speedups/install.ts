/**
 * Installs this directory's byte-identical replacements into kafkajs 2.2.4's produce hot path;
 * the one module that reaches kafkajs's internals.
 *
 * kafkajs encodes every record through `new Encoder()` (a zero-filled 512-byte Buffer), builds a
 * Buffer per varint, computes varlongs with BigInt objects and CRC32C a byte at a time, and
 * groups a request's messages by partition in quadratic time. Under Deno's Node compatibility
 * Buffer allocation is slow, so most of a producer's CPU went there. Installed:
 *
 * - Encoder varint/varlong writers that write into the existing buffer (all requests);
 * - Record/RecordBatch that size a whole uncompressed batch first and write it into one buffer
 *   (record_batch.ts); what they do not handle goes to kafkajs's own code;
 * - a linear groupMessagesPerPartition (grouping.ts);
 * - a RecordBatch decoder that reads records in place (record_batch_decode.ts): kafkajs spends
 *   most of a consumer's CPU decoding records one Decoder, Buffer and BigInt at a time.
 *
 * Evaluating this module installs them, and only over the kafkajs version they were written
 * for: over any other it patches nothing and logs one line saying why. kafkajs is CommonJS, and
 * `createRequire` reaches the very module instances kafkajs itself uses (install_test.ts checks
 * this). Replaced functions are installed as dispatchers so that `setKafkajsSpeedups(false)`
 * gives back the original behaviour (tests, benchmarks).
 *
 * Limits: the Record/RecordBatch dispatchers are bound when kafkajs first builds a produce
 * request, which this module forces by evicting those request modules from the require cache.
 * groupMessagesPerPartition is bound when kafkajs itself is first evaluated, so the grouping
 * speedup needs this module to be evaluated first: deno.json maps "kafkajs" to lib/kafkajs.ts, which
 * evaluates it first.
 */
import type { Buffer } from "node:buffer";
import { type KafkajsRequire, kafkajsRequire, versionMismatch } from "../kafkajs_upstream.ts";
import { logger } from "../log.ts";
import { type GroupingArgs, groupMessagesLinear } from "./grouping.ts";
import {
  encodeRecordBatch,
  type RecordArgs,
  type RecordBatchArgs,
  sizeRecord,
} from "./record_batch.ts";
import { decodeCounts, fastRecordBatchDecoder, kafkajsDecoding } from "./record_batch_decode.ts";
import { isSmallLong, uVarIntSize, varLongSize, writeUVarIntAt, writeVarLongAt } from "./varint.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** kafkajs's produce request versions that encode record batches (v0–v2 write message sets). */
export const RECORD_BATCH_PRODUCE_VERSIONS: readonly number[] = [3, 4, 5, 6, 7];

interface Installation {
  set(on: boolean): void;
  /** Whether kafkajs bound its grouping function before it could be replaced. */
  groupingBoundEarly: boolean;
}

let enabled = false;
// Since the start: record batches written here and handed to kafkajs's own RecordBatch, and
// groupings done here.
const counts = { fastBatches: 0, kafkajsBatches: 0, fastGroupings: 0 };

/**
 * Reads kafkajs's version through the `require` that `kafkajsRequire` gives and, if it is
 * KAFKAJS_VERSION, installs the dispatchers; otherwise requires nothing else, logs one line and
 * returns it. Evaluating this module calls it once; tests call it with a stand-in.
 */
export function installInto(
  kafkajsRequire: () => KafkajsRequire,
  log: (line: string) => void,
): Installation | string {
  let require: KafkajsRequire;
  let version: unknown;
  try {
    require = kafkajsRequire();
    version = require("./package.json").version;
  } catch (error) {
    const line = `kafkajs speedups off: cannot read kafkajs's version (${
      error instanceof Error ? error.message : String(error)
    })`;
    log(line);
    return line;
  }
  const mismatch = versionMismatch(version, "kafkajs speedups");
  if (mismatch) {
    log(mismatch);
    return mismatch;
  }

  const modulePath = (relative: string) => require.resolve("./src/" + relative);
  const groupingPath = modulePath("producer/groupMessagesPerPartition.js");
  const groupingBoundEarly = modulePath("producer/sendMessages.js") in require.cache;
  const recordPath = modulePath("protocol/recordBatch/record/v0/index.js");
  const batchDecoderPath = modulePath("protocol/recordBatch/v0/decoder.js");
  const Encoder: Any = require(modulePath("protocol/encoder.js"));
  const recordBatchModule: Any = require(modulePath("protocol/recordBatch/v0/index.js"));

  const original = {
    Record: require(recordPath) as (args: RecordArgs) => Any,
    RecordBatch: recordBatchModule.RecordBatch as (args: RecordBatchArgs) => Promise<Any>,
    groupMessagesPerPartition: require(groupingPath) as (args: GroupingArgs) => Any,
    decodeRecordBatch: require(batchDecoderPath) as (decoder: Any) => Promise<Any>,
    writeUVarInt: Encoder.prototype.writeUVarInt as (value: number) => Any,
    writeVarLong: Encoder.prototype.writeVarLong as (value: Any) => Any,
    sizeOfVarLong: Encoder.sizeOfVarLong as (value: Any) => number,
  };

  function fastWriteUVarInt(this: Any, value: number): Any {
    this.ensureAvailable(uVarIntSize(value));
    this.offset = writeUVarIntAt(this.buf, this.offset, value);
    return this;
  }
  function fastWriteVarLong(this: Any, value: Any): Any {
    if (!isSmallLong(value)) return original.writeVarLong.call(this, value);
    this.ensureAvailable(varLongSize(value));
    this.offset = writeVarLongAt(this.buf, this.offset, value);
    return this;
  }
  function fastSizeOfVarLong(value: Any): number {
    if (!isSmallLong(value)) return original.sizeOfVarLong.call(Encoder, value);
    return varLongSize(value);
  }

  const record = (args: RecordArgs) => (enabled && sizeRecord(args)) || original.Record(args);
  const recordBatch = (args: RecordBatchArgs): Promise<Any> => {
    if (!enabled) return original.RecordBatch(args);
    let bytes: Buffer | undefined;
    try {
      bytes = encodeRecordBatch(args);
    } catch {
      bytes = undefined; // a field kafkajs cannot read either: it rejects with its own error
    }
    if (!bytes) {
      counts.kafkajsBatches++;
      return original.RecordBatch(args);
    }
    counts.fastBatches++;
    // An Encoder holding exactly the batch, as kafkajs's RecordBatch returns.
    const encoder = Object.create(Encoder.prototype);
    encoder.buf = bytes;
    encoder.offset = bytes.length;
    return Promise.resolve(encoder);
  };
  const fastDecodeRecordBatch = fastRecordBatchDecoder(kafkajsDecoding(require));
  const decodeRecordBatch = (decoder: Any): Promise<Any> =>
    enabled ? fastDecodeRecordBatch(decoder) : original.decodeRecordBatch(decoder);
  const grouping = (args: GroupingArgs) => {
    if (!enabled) return original.groupMessagesPerPartition(args);
    counts.fastGroupings++;
    return groupMessagesLinear(args);
  };

  require(recordPath);
  require.cache[recordPath]!.exports = record;
  recordBatchModule.RecordBatch = recordBatch;
  require(groupingPath);
  require.cache[groupingPath]!.exports = grouping;
  require.cache[batchDecoderPath]!.exports = decodeRecordBatch;
  // kafkajs's fetch message decoder binds the batch decoder when evaluated (the compaction fix,
  // installed after this, replaces that decoder and requires the batch decoder anew).
  delete require.cache[modulePath("protocol/requests/fetch/v4/decodeMessages.js")];
  // The produce requests bind Record and RecordBatch when evaluated, and kafkajs requires them
  // anew for each request: evicted, they are evaluated again with the dispatchers above.
  for (const version of RECORD_BATCH_PRODUCE_VERSIONS) {
    delete require.cache[modulePath(`protocol/requests/produce/v${version}/request.js`)];
  }

  return {
    groupingBoundEarly,
    set(on: boolean) {
      enabled = on;
      Encoder.prototype.writeUVarInt = on ? fastWriteUVarInt : original.writeUVarInt;
      Encoder.prototype.writeVarLong = on ? fastWriteVarLong : original.writeVarLong;
      Encoder.sizeOfVarLong = on ? fastSizeOfVarLong : original.sizeOfVarLong;
    },
  };
}

const installation = installInto(
  kafkajsRequire,
  (line) => logger("kafka").warn(line),
);

/** Turns the replacements on (the default once `applyKafkajsSpeedups` ran) or off. */
export function setKafkajsSpeedups(on: boolean): void {
  if (typeof installation !== "string") installation.set(on);
}

export function applyKafkajsSpeedups(): void {
  setKafkajsSpeedups(true);
}

export interface KafkajsSpeedupStatus {
  /** Why nothing was installed (the line that was logged), if nothing was. */
  off?: string;
  encoder: boolean;
  records: boolean;
  /** False when kafkajs was loaded before this module and bound its own grouping. */
  grouping: boolean;
  /** Record batches encoded here and, for what this module does not handle, by kafkajs. */
  batches: { fast: number; kafkajs: number };
  /** Requests whose messages were grouped by partition here. */
  groupings: number;
  /** Fetched record batches decoded here, and records among them left to kafkajs's decoder. */
  decoded: { batches: number; kafkajsRecords: number };
}

export function kafkajsSpeedupStatus(): KafkajsSpeedupStatus {
  const installed = typeof installation !== "string";
  return {
    ...(installed ? {} : { off: installation }),
    encoder: installed && enabled,
    records: installed && enabled,
    grouping: installed && enabled && !installation.groupingBoundEarly,
    batches: { fast: counts.fastBatches, kafkajs: counts.kafkajsBatches },
    groupings: counts.fastGroupings,
    decoded: { ...decodeCounts },
  };
}
