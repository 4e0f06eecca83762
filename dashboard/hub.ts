/**
 * Fans state changes out to SSE clients: coalesces changes over a short window into numbered
 * deltas, keeps a ring of them for reconnects, keeps a slow client from holding up others, and
 * holds back snapshots while the state is still being replayed from Kafka.
 */
import { type Change, coalesce, type DashboardState } from "./state.ts";
import { type Delta, DeltaLog, formatEvent } from "./sse.ts";

/** Where one client's events go: a bounded queue (a ReadableStream controller in production). */
export interface ClientSink {
  /** Room left in the client's queue; zero or less means it is not keeping up. */
  readonly desiredSize: number | null;
  enqueue(chunk: Uint8Array): void;
  close(): void;
}

export interface HubOptions {
  snapshot: () => DashboardState;
  maxClients: number;
  ringSize: number;
  /** Changes arriving within this window go out as one delta (with one client; see below). */
  windowMs: number;
  /**
   * Every delta costs a write per client, so the window widens by this much per connected
   * client, up to `maxWindowMs`: one viewer gets changes soonest, many share fewer writes.
   */
  windowMsPerClient?: number;
  maxWindowMs?: number;
  heartbeatMs: number;
  /** A client whose queue stays full this long is dropped (it reconnects for a snapshot). */
  maxBehindMs: number;
  retryMs: number;
  /** While replaying, a client that needs a snapshot waits at most this long for it. */
  maxHoldMs?: number;
  now?: () => number;
}

interface Client {
  sink: ClientSink;
  /** When the client's queue was first found full, while it has missed deltas. */
  behindSince: number | null;
  /** Set while the client waits for the snapshot of a replay that has not caught up yet. */
  held: ReturnType<typeof setTimeout> | null;
}

const encoder = new TextEncoder();

/** How long changes wait to go out together, given how many clients each delta is written to. */
export function flushWindowMs(
  options: Pick<HubOptions, "windowMs" | "windowMsPerClient" | "maxWindowMs">,
  clients: number,
): number {
  const widened = options.windowMs + Math.max(0, clients - 1) * (options.windowMsPerClient ?? 0);
  return Math.min(widened, Math.max(options.windowMs, options.maxWindowMs ?? options.windowMs));
}

export class SseHub {
  readonly #options: HubOptions;
  readonly #log: DeltaLog;
  readonly #clients = new Set<Client>();
  readonly #now: () => number;
  #pending: Change[] = [];
  #pendingUpdatedAt: number | null = null;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #replaying = false;
  /** Deltas dropped for, and clients dropped because of, a full queue. */
  readonly stats = { deltas: 0, droppedDeltas: 0, droppedClients: 0, snapshots: 0 };

  constructor(options: HubOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#log = new DeltaLog(crypto.randomUUID().slice(0, 8), options.ringSize);
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get lastEventId(): string {
    return this.#log.lastId;
  }

  get replaying(): boolean {
    return this.#replaying;
  }

  /**
   * While set, the state is a partial replay of the topics: a client that needs a snapshot gets
   * none yet (it would show totals that are not current), only the caught-up one once this is
   * cleared. Deltas for clients that already have a state go on as usual.
   */
  setReplaying(replaying: boolean): void {
    if (this.#closed || this.#replaying === replaying) return;
    this.#replaying = replaying;
    if (replaying) return;
    this.flush();
    for (const client of this.#clients) if (client.held) this.#release(client);
  }

  hasRoom(): boolean {
    return !this.#closed && this.#clients.size < this.#options.maxClients;
  }

  startHeartbeat(): void {
    this.#heartbeatTimer ??= setInterval(() => this.heartbeat(), this.#options.heartbeatMs);
  }

  /** Queues changes already applied to the state; they go out together after the window. */
  publish(changes: Change[], updatedAt: number | null): void {
    if (this.#closed || changes.length === 0) return;
    this.#pending.push(...changes);
    this.#pendingUpdatedAt = updatedAt;
    this.#flushTimer ??= setTimeout(
      () => this.flush(),
      flushWindowMs(this.#options, this.#clients.size),
    );
  }

  /** Sends the pending changes as one delta now. */
  flush(): Delta | null {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#pending.length === 0) return null;
    const delta = this.#log.append(coalesce(this.#pending), this.#pendingUpdatedAt);
    this.#pending = [];
    this.stats.deltas++;
    const chunk = encodeDelta(delta);
    for (const client of this.#clients) {
      // A held client's coming snapshot includes this delta.
      if (!client.held) this.#offer(client, chunk);
    }
    return delta;
  }

  /**
   * Registers a client and sends it `retry:` and then either the deltas it missed since
   * `lastEventId` or a snapshot; while replaying, the snapshot waits for the replay to catch up.
   * Returns null (and closes the sink) when the hub is full.
   */
  connect(sink: ClientSink, lastEventId: string | null): object | null {
    if (!this.hasRoom()) {
      sink.close();
      return null;
    }
    const client: Client = { sink, behindSince: null, held: null };
    sink.enqueue(encoder.encode(formatEvent({ retry: this.#options.retryMs })));
    const missed = lastEventId ? this.#log.since(lastEventId) : null;
    if (missed) {
      for (const delta of missed) sink.enqueue(encodeDelta(delta));
    } else if (this.#replaying) {
      client.held = setTimeout(() => this.#release(client), this.#options.maxHoldMs ?? 30_000);
    } else {
      this.#sendSnapshot(client);
    }
    this.#clients.add(client);
    return client;
  }

  disconnect(handle: object | null): void {
    if (!handle) return;
    const client = handle as Client;
    clearTimeout(client.held ?? undefined);
    this.#clients.delete(client);
  }

  /**
   * The client's queue has room again. One that missed deltas while it was full gets its
   * snapshot now rather than with the next change, which may never come.
   */
  drained(handle: object | null): void {
    const client = handle as Client | null;
    if (!client || client.behindSince === null || !this.#clients.has(client)) return;
    const room = client.sink.desiredSize;
    if (room !== null && room <= 0) return;
    client.behindSince = null;
    this.#sendSnapshot(client);
  }

  heartbeat(): void {
    const chunk = encoder.encode(formatEvent({ comment: "heartbeat" }));
    for (const client of this.#clients) this.#offer(client, chunk);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#flushTimer);
    clearInterval(this.#heartbeatTimer);
    for (const client of this.#clients) {
      clearTimeout(client.held ?? undefined);
      closeQuietly(client.sink);
    }
    this.#clients.clear();
  }

  #offer(client: Client, chunk: Uint8Array): void {
    const room = client.sink.desiredSize;
    if (room !== null && room <= 0) {
      // Full: skip this event; once the client drains it gets a snapshot instead of the gap.
      this.stats.droppedDeltas++;
      client.behindSince ??= this.#now();
      if (this.#now() - client.behindSince >= this.#options.maxBehindMs) {
        this.#clients.delete(client);
        this.stats.droppedClients++;
        closeQuietly(client.sink);
      }
      return;
    }
    if (client.behindSince !== null) {
      client.behindSince = null;
      this.#sendSnapshot(client);
      return;
    }
    client.sink.enqueue(chunk);
  }

  #release(client: Client): void {
    clearTimeout(client.held ?? undefined);
    client.held = null;
    if (this.#clients.has(client)) this.#sendSnapshot(client);
  }

  #sendSnapshot(client: Client): void {
    this.stats.snapshots++;
    client.sink.enqueue(encoder.encode(formatEvent({
      event: "snapshot",
      id: this.#log.lastId,
      data: JSON.stringify({ state: this.#options.snapshot(), replaying: this.#replaying }),
    })));
  }
}

function encodeDelta(delta: Delta): Uint8Array {
  return encoder.encode(formatEvent({
    event: "delta",
    id: delta.id,
    data: JSON.stringify({ changes: delta.changes, updatedAt: delta.updatedAt }),
  }));
}

function closeQuietly(sink: ClientSink): void {
  try {
    sink.close();
  } catch {
    // already closed or cancelled by the client
  }
}
