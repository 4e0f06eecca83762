import assert from "node:assert/strict";
import { DeltaLog, formatEvent, parseEventId } from "./sse.ts";

const turnstile = (count: number) => [{ kind: "turnstile" as const, station_id: 1, count }];

Deno.test("events are formatted with one data line per text line", () => {
  assert.equal(
    formatEvent({ event: "delta", id: "e.1", data: "a\nb" }),
    "event: delta\nid: e.1\ndata: a\ndata: b\n\n",
  );
  assert.equal(formatEvent({ retry: 2000 }), "retry: 2000\n\n");
  assert.equal(formatEvent({ comment: "heartbeat" }), ": heartbeat\n\n");
});

Deno.test("event ids parse into epoch and sequence", () => {
  assert.deepEqual(parseEventId("ab12.7"), { epoch: "ab12", seq: 7 });
  assert.equal(parseEventId("7"), null);
  assert.equal(parseEventId("x.-1"), null);
});

Deno.test("a reconnect within the ring gets exactly the deltas it missed", () => {
  const log = new DeltaLog("ep", 4);
  const ids = [1, 2, 3, 4, 5].map((n) => log.append(turnstile(n), n).id);
  assert.deepEqual(log.since(ids[2])?.map((d) => d.id), [ids[3], ids[4]]);
  assert.deepEqual(log.since(ids[4]), []);
  // A client holding only delta 1 missed 2..5, which a ring of 4 still holds.
  assert.deepEqual(log.since(ids[0])?.map((d) => d.seq), [2, 3, 4, 5]);
});

Deno.test("a client too far behind, from another epoch or from the future needs a snapshot", () => {
  const log = new DeltaLog("ep", 3);
  for (let n = 1; n <= 10; n++) log.append(turnstile(n), n);
  assert.equal(log.since("ep.2"), null);
  assert.equal(log.since("other.9"), null);
  assert.equal(log.since("ep.11"), null);
  assert.equal(log.since("garbage"), null);
  assert.deepEqual(log.since("ep.7")?.map((d) => d.seq), [8, 9, 10]);
});
