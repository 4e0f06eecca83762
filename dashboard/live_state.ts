/** The server's current state, with every applied change published to the SSE hub. */
import { SseHub } from "./hub.ts";
import { applyChange, type Change, cloneState, emptyState } from "./state.ts";

export interface LiveStateOptions {
  maxClients: number;
  ringSize?: number;
  windowMs?: number;
  heartbeatMs?: number;
  maxBehindMs?: number;
}

export class LiveState {
  readonly state = emptyState();
  readonly hub: SseHub;

  constructor(options: LiveStateOptions) {
    this.hub = new SseHub({
      snapshot: () => this.state,
      maxClients: options.maxClients,
      ringSize: options.ringSize ?? 1024,
      windowMs: options.windowMs ?? 100,
      heartbeatMs: options.heartbeatMs ?? 15_000,
      maxBehindMs: options.maxBehindMs ?? 30_000,
      retryMs: 2_000,
    });
  }

  /** Applies changes from a record written at `timestamp` (ms) and publishes those that took. */
  apply(changes: Change[], timestamp: number): void {
    const applied = changes.filter((change) => applyChange(this.state, change));
    if (applied.length === 0) return;
    if (this.state.updatedAt === null || timestamp > this.state.updatedAt) {
      this.state.updatedAt = timestamp;
    }
    this.hub.publish(applied, this.state.updatedAt);
  }

  snapshot() {
    return cloneState(this.state);
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
    cancel() {
      hub.disconnect(handle);
    },
  }, new CountQueuingStrategy({ highWaterMark: queueLength }));
}
