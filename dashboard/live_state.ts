/** The server's current state, with every applied change published to the SSE hub. */
import { SseHub } from "./hub.ts";
import { applyChange, type Change, cloneState, emptyState } from "./state.ts";
import { DEFAULT_FRESHNESS, freshnessChanges, type FreshnessPolicy } from "./freshness.ts";

export interface LiveStateOptions {
  maxClients: number;
  ringSize?: number;
  windowMs?: number;
  heartbeatMs?: number;
  maxBehindMs?: number;
  /** How long a reader waits for a replay to catch up before it gets the partial state. */
  maxReplayWaitMs?: number;
  /** When a train that stopped reporting is stale, and when it is removed. */
  freshness?: FreshnessPolicy;
}

/**
 * Changes within this window go out as one delta. It bounds how late a change reaches a client
 * (event -> pixel); 5 ms rather than 15 halved event -> SSE client at p50 (15 -> 8 ms) with the
 * simulation at full speed, for about 1 % more of a core in the dashboard with one client.
 * Each delta is a write per client, so the window widens by 1 ms per 100 clients, back to the
 * 15 ms that served 1,000 clients before.
 */
export const DEFAULT_WINDOW_MS = 5;
const WINDOW_MS_PER_CLIENT = 0.01;
const MAX_WINDOW_MS = 15;

/**
 * Deltas kept for clients that reconnect with Last-Event-ID: at full speed about one per window,
 * so this covers 15 s or more, well beyond the 2 s after which a dropped EventSource retries.
 */
export const DEFAULT_RING_SIZE = 3072;

export class LiveState {
  readonly state = emptyState();
  readonly hub: SseHub;
  readonly #maxReplayWaitMs: number;
  /** What is still being read up to the end it had when reading began (topics, discovery). */
  readonly #replaying = new Set<string>();
  readonly #replayWaiters = new Set<() => void>();
  readonly freshness: FreshnessPolicy;

  constructor(options: LiveStateOptions) {
    this.#maxReplayWaitMs = options.maxReplayWaitMs ?? 30_000;
    this.freshness = options.freshness ?? DEFAULT_FRESHNESS;
    this.hub = new SseHub({
      snapshot: () => this.state,
      maxClients: options.maxClients,
      ringSize: options.ringSize ?? DEFAULT_RING_SIZE,
      windowMs: options.windowMs ?? DEFAULT_WINDOW_MS,
      windowMsPerClient: WINDOW_MS_PER_CLIENT,
      maxWindowMs: MAX_WINDOW_MS,
      heartbeatMs: options.heartbeatMs ?? 15_000,
      maxBehindMs: options.maxBehindMs ?? 30_000,
      maxHoldMs: this.#maxReplayWaitMs,
      retryMs: 2_000,
    });
  }

  /** Applies changes from a record written at `timestamp` (ms) and publishes those that took. */
  apply(changes: Change[], timestamp: number): void {
    const clock = this.state.clock;
    const applied = changes.filter((change) => applyChange(this.state, change));
    if (applied.length === 0) return;
    // A moved clock can make trains gone; a train without a report time is stamped with it.
    const trainWithoutTime = applied.some((c) =>
      c.kind === "train" && c.train.reported_at === null
    );
    if (this.state.clock !== clock || trainWithoutTime) {
      for (const change of freshnessChanges(this.state, this.freshness)) {
        if (applyChange(this.state, change)) applied.push(change);
      }
    }
    if (this.state.updatedAt === null || timestamp > this.state.updatedAt) {
      this.state.updatedAt = timestamp;
    }
    this.hub.publish(applied, this.state.updatedAt);
  }

  /** Marks `source` as being replayed: until it has caught up, the state is not current. */
  startReplay(source: string): void {
    this.#replaying.add(source);
    this.hub.setReplaying(true);
  }

  endReplay(source: string): void {
    if (!this.#replaying.delete(source) || this.#replaying.size > 0) return;
    this.hub.setReplaying(false);
    for (const wake of this.#replayWaiters) wake();
  }

  get replaying(): string[] {
    return [...this.#replaying];
  }

  /** Resolves once nothing is being replayed, or after `maxWaitMs`, whichever comes first. */
  whenReplayed(maxWaitMs = this.#maxReplayWaitMs): Promise<void> {
    if (this.#replaying.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#replayWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, maxWaitMs);
      this.#replayWaiters.add(wake);
    });
  }

  /**
   * A copy of the state. Pending changes go out to SSE clients first, so that nothing is
   * served here before every connected client has been sent it.
   */
  snapshot() {
    this.hub.flush();
    return cloneState(this.state);
  }

  close(): void {
    this.hub.close();
    for (const wake of this.#replayWaiters) wake();
  }
}

/** An SSE response streaming from the hub; the client's queue is bounded by `queueLength`. */
export function sseStream(
  hub: SseHub,
  lastEventId: string | null,
  queueLength = 64,
): ReadableStream<Uint8Array> {
  let handle: object | null = null;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      handle = hub.connect({
        get desiredSize() {
          return controller.desiredSize;
        },
        enqueue: (chunk) => controller.enqueue(chunk),
        close: () => controller.close(),
      }, lastEventId);
    },
    // Called once the queue has room again, which is when a client that fell behind catches up.
    pull() {
      hub.drained(handle);
    },
    cancel() {
      hub.disconnect(handle);
    },
  }, new CountQueuingStrategy({ highWaterMark: queueLength }));
}
