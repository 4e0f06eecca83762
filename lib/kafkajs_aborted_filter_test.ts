import assert from "node:assert/strict";
import {
  type AbortedTransaction,
  type FetchedRecord,
  filterAbortedMessages,
  kafkajsOwnFilter,
} from "./kafkajs_aborted_filter.ts";
import { kafkajsRequire } from "./kafkajs_upstream.ts";

const require = kafkajsRequire();
const ABORT = new Uint8Array([0, 0, 0, 0]);
const COMMIT = new Uint8Array([0, 0, 0, 1]);

function data(offset: number, producerId: string): FetchedRecord {
  return {
    offset: String(offset),
    key: new TextEncoder().encode(`r${offset}`),
    batchContext: { producerId, inTransaction: true },
  };
}

function marker(offset: number, producerId: string, key: Uint8Array): FetchedRecord {
  return {
    offset: String(offset),
    key,
    isControlRecord: true,
    batchContext: { producerId, inTransaction: true },
  };
}

const delivered = (records: FetchedRecord[]) =>
  records.filter((r) => !r.isControlRecord).map((r) => Number(r.offset));

/**
 * Producer 1 begins first and aborts last; producer 2 begins later and aborts first; producer 3
 * commits in between. The broker lists aborted transactions in the order of their markers.
 */
const interleaved: FetchedRecord[] = [
  data(0, "1"),
  data(1, "1"),
  data(2, "2"),
  data(3, "3"),
  data(4, "2"),
  marker(5, "2", ABORT),
  data(6, "1"),
  marker(7, "3", COMMIT),
  marker(8, "1", ABORT),
];
const listedByMarker: AbortedTransaction[] = [
  { producerId: "2", firstOffset: "2" },
  { producerId: "1", firstOffset: "0" },
];

Deno.test("no record of an aborted transaction is delivered, whatever order the list is in", () => {
  assert.deepEqual(
    delivered(
      filterAbortedMessages({ messages: interleaved, abortedTransactions: listedByMarker }),
    ),
    [3],
  );
});

Deno.test("kafkajs's own filter lets through the transaction that began first", () => {
  const kafkajsOwn = kafkajsOwnFilter();
  assert.deepEqual(
    delivered(kafkajsOwn({ messages: interleaved, abortedTransactions: listedByMarker })),
    [0, 1, 3],
  );
});

Deno.test("a fetch that starts inside two aborted transactions skips both", () => {
  const fromMiddle = interleaved.filter((r) => Number(r.offset) >= 3);
  assert.deepEqual(
    delivered(filterAbortedMessages({ messages: fromMiddle, abortedTransactions: listedByMarker })),
    [3],
  );
});

Deno.test("a producer's committed transaction after its aborted one is delivered", () => {
  const messages = [
    data(0, "1"),
    marker(1, "1", ABORT),
    data(2, "1"),
    marker(3, "1", COMMIT),
  ];
  assert.deepEqual(
    delivered(
      filterAbortedMessages({
        messages,
        abortedTransactions: [{ producerId: "1", firstOffset: "0" }],
      }),
    ),
    [2],
  );
});

Deno.test("kafkajs's consumer batches use the replacement", () => {
  const Batch = require("./src/consumer/batch.js");
  const batch = new Batch("t", "0", {
    partition: 0,
    highWatermark: "9",
    abortedTransactions: listedByMarker,
    messages: interleaved,
  });
  assert.deepEqual(batch.messages.map((m: FetchedRecord) => Number(m.offset)), [3]);
});
