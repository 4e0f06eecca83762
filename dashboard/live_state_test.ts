import assert from "node:assert/strict";
import { LiveState, sseStream } from "./live_state.ts";
import type { DashboardState } from "./state.ts";

const counts = (n: number, stations = [40900, 41200]) =>
  stations.map((station_id) => ({ kind: "turnstile" as const, station_id, count: n }));

interface Event {
  event?: string;
  id?: string;
  data?: { state?: DashboardState; replaying?: boolean; changes?: unknown[] };
}

/** Reads an SSE stream event by event; `next` gives null when nothing comes within `waitMs`. */
function eventsOf(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  return {
    async next(waitMs = 200): Promise<Event | null> {
      while (!buffer.includes("\n\n")) {
        pending ??= reader.read();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const result = await Promise.race([
          pending,
          new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), waitMs)),
        ]);
        clearTimeout(timer);
        if (result === null) return null;
        pending = null;
        if (result.done) return null;
        buffer += decoder.decode(result.value, { stream: true });
      }
      const end = buffer.indexOf("\n\n");
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name: string) =>
        block.split("\n").find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const data = field("data");
      return { event: field("event"), id: field("id"), data: data && JSON.parse(data) };
    },
    cancel: () => reader.cancel(),
  };
}

Deno.test("a client reconnecting mid-replay with an id of an earlier process gets only the caught-up state", async () => {
  const live = new LiveState({ maxClients: 5, windowMs: 60_000 });
  live.startReplay("TURNSTILE_SUMMARY");
  live.apply(counts(33), 1);
  live.hub.flush();
  // An id from before a restart: another epoch, and a sequence this process has not reached.
  const client = eventsOf(sseStream(live.hub, "0ld3p0ch.412"));
  assert.equal((await client.next())?.data, undefined, "retry: first");
  live.apply(counts(200), 2);
  live.hub.flush();
  live.apply(counts(406), 3);
  assert.equal(await client.next(), null, "nothing of the partial replay");
  live.endReplay("TURNSTILE_SUMMARY");
  const snapshot = await client.next();
  assert.equal(snapshot?.event, "snapshot");
  assert.equal(snapshot?.id, live.hub.lastEventId);
  assert.deepEqual(snapshot?.data?.state?.turnstiles, { "40900": 406, "41200": 406 });
  assert.equal(snapshot?.data?.replaying, false);
  live.apply(counts(407), 4);
  live.hub.flush();
  assert.deepEqual((await client.next())?.data?.changes, counts(407));
  await client.cancel();
  live.close();
});

Deno.test("a client that already had a state keeps getting deltas during a replay", async () => {
  const live = new LiveState({ maxClients: 5, windowMs: 60_000 });
  const client = eventsOf(sseStream(live.hub, null));
  await client.next();
  assert.equal((await client.next())?.event, "snapshot");
  live.startReplay("weather");
  live.apply(counts(5), 1);
  live.hub.flush();
  assert.deepEqual((await client.next())?.data?.changes, counts(5));
  await client.cancel();
  live.close();
});

Deno.test("a held client gets the partial state, marked as such, once the wait is over", async () => {
  const live = new LiveState({ maxClients: 5, windowMs: 60_000, maxReplayWaitMs: 30 });
  live.startReplay("arrivals");
  live.apply(counts(3), 1);
  const client = eventsOf(sseStream(live.hub, null));
  await client.next();
  const snapshot = await client.next(1000);
  assert.equal(snapshot?.event, "snapshot");
  assert.equal(snapshot?.data?.replaying, true);
  assert.deepEqual(snapshot?.data?.state?.turnstiles, { "40900": 3, "41200": 3 });
  await client.cancel();
  live.close();
});

Deno.test("whatever the state shows has already been sent to every SSE client", async () => {
  const live = new LiveState({ maxClients: 5, windowMs: 60_000 });
  const client = eventsOf(sseStream(live.hub, null));
  await client.next();
  await client.next();
  live.apply(counts(406), 1);
  assert.deepEqual(live.snapshot().turnstiles, { "40900": 406, "41200": 406 });
  const delta = await client.next(50);
  assert.equal(delta?.event, "delta", "the change is on its way before the state shows it");
  assert.deepEqual(delta?.data?.changes, counts(406));
  await client.cancel();
  live.close();
});

Deno.test("a client that fell behind gets a snapshot as soon as it drains, not with a later change", async () => {
  const live = new LiveState({ maxClients: 5, windowMs: 60_000 });
  // Room for two events: retry and the first snapshot fill it.
  const client = eventsOf(sseStream(live.hub, null, 2));
  live.apply(counts(33), 1);
  live.hub.flush();
  live.apply(counts(406), 2);
  live.hub.flush();
  assert.equal(live.hub.stats.droppedDeltas, 2);
  await client.next();
  assert.deepEqual((await client.next())?.data?.state?.turnstiles, {});
  const caughtUp = await client.next(100);
  assert.equal(caughtUp?.event, "snapshot");
  assert.deepEqual(caughtUp?.data?.state?.turnstiles, { "40900": 406, "41200": 406 });
  assert.equal(caughtUp?.id, live.hub.lastEventId);
  await client.cancel();
  live.close();
});

Deno.test("readers wait for every replay to catch up, or for the bound", async () => {
  const live = new LiveState({ maxClients: 5 });
  let done = false;
  live.startReplay("a");
  live.startReplay("b");
  const waiting = live.whenReplayed().then(() => done = true);
  live.endReplay("a");
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(done, false);
  assert.deepEqual(live.replaying, ["b"]);
  live.endReplay("b");
  await waiting;
  assert.deepEqual(live.replaying, []);
  live.startReplay("c");
  const started = performance.now();
  await live.whenReplayed(30);
  assert.ok(performance.now() - started >= 25);
  live.close();
});

Deno.test("a train that stops reporting stays while stale and leaves every SSE client when gone", async () => {
  const MIN = 60_000;
  const t0 = Date.UTC(2026, 11, 5, 18, 0);
  const live = new LiveState({
    maxClients: 5,
    windowMs: 60_000,
    freshness: { staleAfterMs: 15 * MIN, removeAfterMs: 30 * MIN },
  });
  const report = (train_id: string, at: number | null) => ({
    kind: "train" as const,
    train: {
      train_id,
      line: "red" as const,
      station_id: 40900,
      direction: "a" as const,
      status: "in_service" as const,
      reported_at: at,
    },
  });
  live.apply([report("moving", t0), report("stopped", t0)], 1);
  const client = eventsOf(sseStream(live.hub, null));
  await client.next(); // retry:
  assert.equal((await client.next())?.event, "snapshot");
  live.apply([report("moving", t0 + 20 * MIN)], 2);
  // Stale (20 min), not gone: still there, marked only by the clock.
  assert.deepEqual(Object.keys(live.state.trains).sort(), ["moving", "stopped"]);
  assert.equal(live.state.clock, t0 + 20 * MIN);
  live.apply([report("moving", t0 + 30 * MIN)], 3);
  assert.deepEqual(Object.keys(live.state.trains), ["moving"]);
  // One delta: the two reports of "moving" coalesce to the later one.
  live.hub.flush();
  const delta = await client.next();
  assert.deepEqual(delta?.data?.changes, [
    report("moving", t0 + 30 * MIN),
    { kind: "trainRemoved", train_id: "stopped" },
  ]);
  assert.deepEqual(Object.keys(live.snapshot().trains), ["moving"]);
  // A record written before event_time existed counts as reported at the clock.
  live.apply([report("old-record", null)], 4);
  assert.equal(live.state.trains["old-record"].reported_at, t0 + 30 * MIN);
  await client.cancel();
  live.close();
});
