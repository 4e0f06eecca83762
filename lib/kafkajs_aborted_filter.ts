/**
 * kafkajs 2.2.4 delivers records of aborted transactions to read_committed consumers when
 * several transactional producers write to one partition. A fetch response lists the aborted
 * transactions of its range in the order the broker wrote their abort markers, and kafkajs
 * takes that for the order of their first offsets: it starts skipping a producer's records only
 * once the head of the list is reached, and only one list entry per record. A transaction that
 * began before another but aborted after it is let through up to the other's first record. The
 * summary's partial counts are written by one producer per input partition, and a leaked
 * partial count is counted a second time when the transaction is redone.
 *
 * This is the Java consumer's rule instead: the list sorted by first offset, and every aborted
 * transaction that has begun by a record skipped until its producer's abort marker.
 */
import { type KafkajsRequire, kafkajsRequire, versionMismatch } from "./kafkajs_upstream.ts";
import { logger } from "./log.ts";

/** A record as kafkajs's fetch decoder gives it. */
export interface FetchedRecord {
  offset: string;
  key: Uint8Array | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

const FILTER = "./src/consumer/filterAbortedMessages.js";
const BATCH = "./src/consumer/batch.js";

function isAbortMarker(record: FetchedRecord): boolean {
  const key = record.key;
  return record.isControlRecord === true && key !== null && key.length >= 4 &&
    key[0] === 0 && key[1] === 0 && key[2] === 0 && key[3] === 0;
}

/** The records of `messages` that are not part of an aborted transaction, in order. */
export function filterAbortedMessages<R extends FetchedRecord>(
  { messages, abortedTransactions }: {
    messages: R[];
    abortedTransactions?: AbortedTransaction[] | null;
  },
): R[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions]
    .map((t) => ({ producerId: String(t.producerId), firstOffset: BigInt(t.firstOffset) }))
    .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const aborting = new Set<string>();
  return messages.filter((record) => {
    const offset = BigInt(record.offset);
    while (pending.length > 0 && pending[0].firstOffset <= offset) {
      aborting.add(pending.shift()!.producerId);
    }
    const producerId = String(record.batchContext.producerId);
    if (isAbortMarker(record)) {
      aborting.delete(producerId);
      return true;
    }
    return !(record.batchContext.inTransaction && aborting.has(producerId));
  });
}

let kafkajsOwn: typeof filterAbortedMessages | undefined;
let active: typeof filterAbortedMessages = filterAbortedMessages;

/** For tests that show what kafkajs's own filter delivers: every consumer then uses it. */
export function useKafkajsOwnFilter(on: boolean): void {
  active = on ? kafkajsOwnFilter() : filterAbortedMessages;
}

/** The filter this module replaced, for tests that hold the two side by side. */
export function kafkajsOwnFilter(): typeof filterAbortedMessages {
  if (!kafkajsOwn) throw new Error("the aborted-transaction filter is not installed");
  return kafkajsOwn;
}

/**
 * Installs the filter into the kafkajs that `require` reaches; a line saying why not otherwise.
 * kafkajs binds the filter when it first loads its consumer, so this must run before that.
 */
export function installAbortedFilter(require: KafkajsRequire): string | undefined {
  const mismatch = versionMismatch(
    require("./package.json").version,
    "kafkajs aborted-transaction filter",
  );
  if (mismatch) return mismatch;
  if (require.cache[require.resolve(BATCH)]) {
    throw new Error(
      "kafkajs was loaded before its aborted-transaction filter was replaced: import kafkajs " +
        "through the import map (lib/kafkajs.ts), never as npm:kafkajs",
    );
  }
  kafkajsOwn ??= require(FILTER);
  require.cache[require.resolve(FILTER)]!.exports = (
    args: Parameters<typeof filterAbortedMessages>[0],
  ) => active(args);
  return undefined;
}

const line = installAbortedFilter(
  kafkajsRequire(),
);
if (line) logger("kafka").warn(line);
