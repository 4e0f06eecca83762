/**
 * One live copy of the dashboard state per page, shared by every island that reads it: one
 * EventSource on /api/events (a snapshot, then deltas applied with `applyChanges`), opened when
 * the first island subscribes. `useLiveState` re-renders its island once per frame with changes.
 */
import { useEffect, useState } from "preact/hooks";
import { applyChanges, type Change, type DashboardState } from "../dashboard/state.ts";
import type { ConnectionStatus } from "../components/StatusBar.tsx";

export interface LiveSnapshot {
  /** Null until the page's embedded state or the first SSE snapshot gives one. */
  state: DashboardState | null;
  status: ConnectionStatus;
  /**
   * Bumped by every applied snapshot or delta. The state is changed in place (copying all of it
   * for every delta cost more than rendering), so islands compare versions, not objects.
   */
  version: number;
}

type Listener = (snapshot: LiveSnapshot) => void;

const RETRY_AFTER_REFUSAL_MS = 10_000;
/** At most 25 renders a second: more made the page's own work delay what it receives. */
const MIN_RENDER_INTERVAL_MS = 40;

class LiveStore {
  snapshot: LiveSnapshot = { state: null, status: "connecting", version: 0 };
  #listeners = new Set<Listener>();
  #source: EventSource | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #frame: number | null = null;
  #wait: ReturnType<typeof setTimeout> | undefined;
  #renderedAt = -Infinity;

  seed(state: DashboardState): void {
    if (this.snapshot.state === null) this.snapshot = { ...this.snapshot, state };
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#open();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#close();
    };
  }

  #set(next: Partial<LiveSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...next, version: this.snapshot.version + 1 };
    if (this.#frame !== null || this.#wait !== undefined) return;
    // Deltas can come faster than a page can paint them: islands render at most once per
    // MIN_RENDER_INTERVAL_MS, in a frame, with every delta since the last render.
    const render = () => {
      this.#wait = undefined;
      this.#frame = requestAnimationFrame(() => {
        this.#frame = null;
        this.#renderedAt = performance.now();
        for (const listener of this.#listeners) listener(this.snapshot);
      });
    };
    const wait = this.#renderedAt + MIN_RENDER_INTERVAL_MS - performance.now();
    if (wait > 0) this.#wait = setTimeout(render, wait);
    else render();
  }

  #open(): void {
    const source = new EventSource("/api/events");
    this.#source = source;
    source.onopen = () => this.#set({ status: "live" });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (e.g. 503): EventSource gives up by itself, so try again later.
        this.#set({ status: "offline" });
        this.#retry = setTimeout(() => this.#open(), RETRY_AFTER_REFUSAL_MS);
      } else {
        this.#set({ status: "reconnecting" });
      }
    };
    source.addEventListener("snapshot", (e) => {
      this.#set({ state: JSON.parse((e as MessageEvent).data).state, status: "live" });
    });
    source.addEventListener("delta", (e) => {
      const current = this.snapshot.state;
      if (current === null) return;
      const delta = JSON.parse((e as MessageEvent).data) as {
        changes: Change[];
        updatedAt: number | null;
      };
      applyChanges(current, delta.changes, delta.updatedAt);
      this.#set({});
    });
  }

  #close(): void {
    clearTimeout(this.#retry);
    if (this.#frame !== null) cancelAnimationFrame(this.#frame);
    this.#frame = null;
    clearTimeout(this.#wait);
    this.#wait = undefined;
    this.#source?.close();
    this.#source = null;
  }
}

const store = new LiveStore();

/**
 * The live state, starting from `initial` (the state the page was rendered with) when given. The
 * store is only touched in effects, which never run in the server render, so a render on the
 * server shows exactly `initial`.
 */
export function useLiveState(initial?: DashboardState): LiveSnapshot {
  const [snapshot, setSnapshot] = useState<LiveSnapshot>(() => ({
    state: initial ?? null,
    status: "connecting",
    version: 0,
  }));
  useEffect(() => {
    if (initial) store.seed(initial);
    const unsubscribe = store.subscribe(setSnapshot);
    if (store.snapshot.state !== null) setSnapshot(store.snapshot);
    return unsubscribe;
  }, []);
  return snapshot;
}
