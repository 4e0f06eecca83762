/**
 * One live copy of the dashboard state per page, shared by every island that reads it: one
 * EventSource on /api/events (a snapshot, then deltas applied with `applyChanges`), opened when
 * the first island subscribes. `useLiveState` re-renders its island on every change.
 */
import { useEffect, useState } from "preact/hooks";
import { applyChanges, type Change, type DashboardState } from "../dashboard/state.ts";
import type { ConnectionStatus } from "../components/StatusBar.tsx";

export interface LiveSnapshot {
  /** Null until the page's embedded state or the first SSE snapshot gives one. */
  state: DashboardState | null;
  status: ConnectionStatus;
}

type Listener = (snapshot: LiveSnapshot) => void;

const RETRY_AFTER_REFUSAL_MS = 10_000;

class LiveStore {
  snapshot: LiveSnapshot = { state: null, status: "connecting" };
  #listeners = new Set<Listener>();
  #source: EventSource | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;

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
    this.snapshot = { ...this.snapshot, ...next };
    for (const listener of this.#listeners) listener(this.snapshot);
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
      const next = structuredClone(current);
      applyChanges(next, delta.changes, delta.updatedAt);
      this.#set({ state: next });
    });
  }

  #close(): void {
    clearTimeout(this.#retry);
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
  }));
  useEffect(() => {
    if (initial) store.seed(initial);
    const unsubscribe = store.subscribe(setSnapshot);
    if (store.snapshot.state !== null) setSnapshot(store.snapshot);
    return unsubscribe;
  }, []);
  return snapshot;
}
