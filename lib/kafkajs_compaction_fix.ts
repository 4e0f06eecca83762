/**
 * kafkajs 2.2.4 stalls for good on a record batch that log compaction has emptied. The cleaner
 * keeps such a batch (header, offsets, no records) when it held a transactional producer's
 * last records, so that its state survives: compacted topics written in transactions (the
 * summary, its checkpoints, the transformed stations) get them as soon as the cleaner runs. kafkajs
 * decodes the batch into no message at all, concludes that the fetch returned nothing and fetches
 * the same offset again, for ever.
 *
 * This replaces kafkajs's fetch message decoder with one that turns an empty record batch into
 * a control record at the batch's last offset: kafkajs drops control records from what it
 * delivers but moves its position past them, as the Java consumer moves past the empty batch.
 * Installed over kafkajs 2.2.4 only, the version whose decoder it reproduces.
 */
import { Buffer } from "node:buffer";
import { type KafkajsRequire, kafkajsRequire, versionMismatch } from "./kafkajs_upstream.ts";
import { logger } from "./log.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

const DECODE_MESSAGES = "./src/protocol/requests/fetch/v4/decodeMessages.js";
/** Fetch responses bind the decoder when they are first evaluated. */
const FETCH_RESPONSES = [4, 5, 6, 7, 8, 9, 10, 11].map((v) =>
  `./src/protocol/requests/fetch/v${v}/response.js`
);
const MAGIC_OFFSET = 16;
const RECORD_BATCH_OVERHEAD = 49;

/** kafkajs's `decodeMessages`, with an emptied record batch kept as a control record. */
export function compactionSafeDecodeMessages(require: KafkajsRequire) {
  const Decoder = require("./src/protocol/decoder.js");
  const MessageSetDecoder = require("./src/protocol/messageSet/decoder.js");
  const RecordBatchDecoder = require("./src/protocol/recordBatch/v0/decoder.js");
  const { MAGIC_BYTE } = require("./src/protocol/recordBatch/v0/index.js");
  return async (decoder: Any) => {
    const messagesSize = decoder.readInt32();
    if (messagesSize <= 0 || !decoder.canReadBytes(messagesSize)) return [];
    const messagesBuffer: Buffer = decoder.readBytes(messagesSize);
    const messagesDecoder = new Decoder(messagesBuffer);
    const magicByte = messagesBuffer.slice(MAGIC_OFFSET).readInt8(0);
    if (magicByte !== MAGIC_BYTE) return MessageSetDecoder(messagesDecoder, messagesSize);
    const records: Any[] = [];
    while (messagesDecoder.canReadBytes(RECORD_BATCH_OVERHEAD)) {
      try {
        const batch = await RecordBatchDecoder(messagesDecoder);
        if (batch.records.length > 0) {
          records.push(...batch.records);
          continue;
        }
        const { records: _none, ...context } = batch;
        records.push({
          magicByte: 2,
          attributes: 0,
          timestamp: batch.maxTimestamp,
          offset: String(BigInt(batch.firstOffset) + BigInt(batch.lastOffsetDelta)),
          key: null,
          value: null,
          headers: {},
          isControlRecord: true,
          batchContext: { ...context, inTransaction: false },
        });
      } catch (e) {
        // As kafkajs: the tail of a fetch may hold an incomplete batch.
        if ((e as Error).name === "KafkaJSPartialMessageError") break;
        throw e;
      }
    }
    return records;
  };
}

let kafkajsOwn: ((decoder: Any) => Promise<Any[]>) | undefined;

/** The decoder this module replaced, for tests that hold the two side by side. */
export function kafkajsOwnDecodeMessages(): (decoder: Any) => Promise<Any[]> {
  if (!kafkajsOwn) throw new Error("the compaction fix is not installed");
  return kafkajsOwn;
}

/** Installs the decoder into the kafkajs instance `require` reaches; a line to log if not. */
export function installCompactionFix(require: KafkajsRequire): string | undefined {
  const mismatch = versionMismatch(require("./package.json").version, "kafkajs compaction fix");
  if (mismatch) return mismatch;
  const path = require.resolve(DECODE_MESSAGES);
  kafkajsOwn ??= require(DECODE_MESSAGES);
  require.cache[path]!.exports = compactionSafeDecodeMessages(require);
  for (const response of FETCH_RESPONSES) {
    try {
      delete require.cache[require.resolve(response)];
    } catch {
      // a version kafkajs does not have
    }
  }
  return undefined;
}

const line = installCompactionFix(
  kafkajsRequire(),
);
if (line) logger("kafka").warn(line);
