import assert from "node:assert/strict";
import { type ClientSink, flushWindowMs, type HubOptions, SseHub } from "./hub.ts";
import { emptyState } from "./state.ts";

class FakeSink implements ClientSink {
  desiredSize: number | null = 10;
  closed = false;
  readonly chunks: string[] = [];
  enqueue(chunk: Uint8Array) {
    this.chunks.push(new TextDecoder().decode(chunk));
  }
  close() {
    this.closed = true;
  }
  /** The parsed events, as [event name, id, data] (comments and retry lines kept as is). */
  events(): { event?: string; id?: string; data?: unknown; raw: string }[] {
    return this.chunks.map((raw) => {
      const field = (name: string) =>
        raw.split("\n").find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const data = field("data");
      return { event: field("event"), id: field("id"), data: data && JSON.parse(data), raw };
    });
  }
}

function makeHub(
  overrides: Partial<
    Pick<
      HubOptions,
      "maxClients" | "ringSize" | "now" | "windowMs" | "windowMsPerClient" | "maxWindowMs"
    >
  > = {},
) {
  const state = emptyState();
  state.turnstiles["1"] = 99;
  return new SseHub({
    snapshot: () => state,
    maxClients: overrides.maxClients ?? 10,
    ringSize: overrides.ringSize ?? 8,
    windowMs: overrides.windowMs ?? 10_000,
    windowMsPerClient: overrides.windowMsPerClient,
    maxWindowMs: overrides.maxWindowMs,
    heartbeatMs: 10_000,
    maxBehindMs: 1000,
    retryMs: 2000,
    now: overrides.now,
  });
}

const turnstile = (station_id: number, count: number) => ({
  kind: "turnstile" as const,
  station_id,
  count,
});

Deno.test("a new client gets retry first, then a snapshot of the full state", () => {
  const hub = makeHub();
  const sink = new FakeSink();
  hub.connect(sink, null);
  const [retry, snapshot] = sink.events();
  assert.equal(retry.raw, "retry: 2000\n\n");
  assert.equal(snapshot.event, "snapshot");
  assert.deepEqual((snapshot.data as { state: { turnstiles: unknown } }).state.turnstiles, {
    "1": 99,
  });
  hub.close();
});

Deno.test("changes within one window go out as one coalesced delta with a rising id", () => {
  const hub = makeHub();
  const sink = new FakeSink();
  hub.connect(sink, null);
  hub.publish([turnstile(1, 1)], 10);
  hub.publish([turnstile(1, 2), turnstile(2, 7)], 20);
  const first = hub.flush()!;
  hub.publish([turnstile(1, 3)], 30);
  const second = hub.flush()!;
  assert.equal(hub.flush(), null);
  const deltas = sink.events().filter((e) => e.event === "delta");
  assert.equal(deltas.length, 2);
  assert.deepEqual(deltas[0].data, { changes: [turnstile(1, 2), turnstile(2, 7)], updatedAt: 20 });
  assert.deepEqual([deltas[0].id, deltas[1].id], [first.id, second.id]);
  assert.ok(second.seq > first.seq);
  hub.close();
});

Deno.test("a client reconnecting with Last-Event-ID gets the missed deltas and no snapshot", () => {
  const hub = makeHub();
  const first = new FakeSink();
  hub.connect(first, null);
  hub.publish([turnstile(1, 1)], 1);
  const seen = hub.flush()!;
  hub.publish([turnstile(1, 2)], 2);
  hub.flush();
  hub.publish([turnstile(1, 3)], 3);
  hub.flush();
  const again = new FakeSink();
  hub.connect(again, seen.id);
  const events = again.events();
  assert.equal(events.some((e) => e.event === "snapshot"), false);
  assert.deepEqual(
    events.filter((e) => e.event === "delta").map((e) =>
      (e.data as { changes: { count: number }[] }).changes[0].count
    ),
    [2, 3],
  );
  hub.close();
});

Deno.test("a client that fell out of the ring gets a fresh snapshot", () => {
  const hub = makeHub({ ringSize: 2 });
  hub.publish([turnstile(1, 1)], 1);
  const old = hub.flush()!;
  for (let n = 2; n <= 5; n++) {
    hub.publish([turnstile(1, n)], n);
    hub.flush();
  }
  const sink = new FakeSink();
  hub.connect(sink, old.id);
  const events = sink.events();
  assert.equal(events[1].event, "snapshot");
  assert.equal(events[1].id, hub.lastEventId);
  hub.close();
});

Deno.test("a slow client misses deltas without holding up others, then gets a snapshot", () => {
  const hub = makeHub();
  const slow = new FakeSink();
  const fast = new FakeSink();
  hub.connect(slow, null);
  hub.connect(fast, null);
  slow.desiredSize = 0;
  hub.publish([turnstile(1, 1)], 1);
  hub.flush();
  hub.publish([turnstile(1, 2)], 2);
  hub.flush();
  assert.equal(fast.events().filter((e) => e.event === "delta").length, 2);
  assert.equal(slow.events().filter((e) => e.event === "delta").length, 0);
  slow.desiredSize = 10;
  hub.publish([turnstile(1, 3)], 3);
  hub.flush();
  const last = slow.events().at(-1)!;
  assert.equal(last.event, "snapshot");
  assert.equal(last.id, hub.lastEventId);
  assert.equal(hub.stats.droppedDeltas, 2);
  hub.close();
});

Deno.test("a client whose queue stays full is dropped", () => {
  let now = 0;
  const hub = makeHub({ now: () => now });
  const stuck = new FakeSink();
  hub.connect(stuck, null);
  stuck.desiredSize = 0;
  hub.heartbeat();
  now = 1500;
  hub.heartbeat();
  assert.equal(stuck.closed, true);
  assert.equal(hub.clientCount, 0);
  assert.equal(hub.stats.droppedClients, 1);
  hub.close();
});

Deno.test("clients beyond the cap are refused, and a disconnect frees a place", () => {
  const hub = makeHub({ maxClients: 2 });
  const a = hub.connect(new FakeSink(), null);
  hub.connect(new FakeSink(), null);
  const refused = new FakeSink();
  assert.equal(hub.connect(refused, null), null);
  assert.equal(refused.closed, true);
  assert.equal(hub.hasRoom(), false);
  hub.disconnect(a);
  assert.equal(hub.hasRoom(), true);
  hub.close();
});

Deno.test("closing the hub closes every stream", () => {
  const hub = makeHub();
  const sinks = [new FakeSink(), new FakeSink()];
  for (const s of sinks) hub.connect(s, null);
  hub.close();
  assert.deepEqual(sinks.map((s) => s.closed), [true, true]);
  assert.equal(hub.hasRoom(), false);
});

Deno.test("while replaying, a new client gets heartbeats but no delta until its snapshot", () => {
  const hub = makeHub();
  hub.setReplaying(true);
  const sink = new FakeSink();
  const handle = hub.connect(sink, "an-earlier-process.7");
  hub.publish([turnstile(1, 1)], 1);
  hub.flush();
  hub.heartbeat();
  assert.deepEqual(sink.events().map((e) => e.raw), ["retry: 2000\n\n", ": heartbeat\n\n"]);
  // Leaving before the replay caught up leaves no timer behind.
  hub.disconnect(handle);
  hub.setReplaying(false);
  assert.equal(sink.events().length, 2);
  hub.close();
});

Deno.test("a client that missed deltas gets a snapshot once it has drained", () => {
  const hub = makeHub();
  const sink = new FakeSink();
  const handle = hub.connect(sink, null);
  sink.desiredSize = 0;
  hub.publish([turnstile(1, 5)], 1);
  hub.flush();
  hub.drained(handle);
  assert.equal(sink.events().length, 2, "still full: nothing yet");
  sink.desiredSize = 10;
  hub.drained(handle);
  hub.drained(handle);
  const snapshots = sink.events().filter((e) => e.event === "snapshot");
  assert.equal(snapshots.length, 2, "the first one and exactly one after draining");
  assert.equal(snapshots[1].id, hub.lastEventId);
  hub.close();
});

Deno.test("the window widens with the clients each delta is written to, up to its limit", () => {
  const options = { windowMs: 5, windowMsPerClient: 0.01, maxWindowMs: 15 };
  assert.equal(flushWindowMs(options, 0), 5);
  assert.equal(flushWindowMs(options, 1), 5);
  assert.equal(flushWindowMs(options, 101), 6);
  assert.equal(flushWindowMs(options, 1001), 15);
  assert.equal(flushWindowMs(options, 5000), 15);
  // Without a per-client widening, or with a limit under the window, the window is fixed.
  assert.equal(flushWindowMs({ windowMs: 5 }, 1000), 5);
  assert.equal(flushWindowMs({ windowMs: 20, windowMsPerClient: 1, maxWindowMs: 15 }, 10), 20);
});

Deno.test("with many clients, changes wait the widened window before going out", async () => {
  const hub = makeHub({ windowMs: 5, windowMsPerClient: 100, maxWindowMs: 300 });
  const sinks = [new FakeSink(), new FakeSink(), new FakeSink()];
  for (const sink of sinks) hub.connect(sink, null);
  const deltas = () => sinks[0].events().filter((e) => e.event === "delta").length;
  hub.publish([turnstile(1, 1)], null);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(deltas(), 0, "three clients: the window is 205 ms");
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(deltas(), 1);
  hub.close();
});
