import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { LINES } from "../lib/contracts/enums.ts";
import { applyChanges, type Change, type DashboardState } from "../dashboard/state.ts";
import type { FreshnessPolicy } from "../dashboard/freshness.ts";
import { type ConnectionStatus, StatusBar } from "../components/StatusBar.tsx";
import { WeatherCard } from "../components/WeatherCard.tsx";
import { LineCard } from "../components/LineCard.tsx";

export interface TransitBoardProps {
  initial: DashboardState;
  renderedAt: number;
  /** When a train that stopped reporting is shown as such (the server removes it later). */
  freshness: FreshnessPolicy;
}

/** The live board: server-rendered, then kept current from /api/events. */
export default function TransitBoard({ initial, renderedAt, freshness }: TransitBoardProps) {
  // Deltas are applied in place, and a version bump re-renders: copying the whole state for
  // every delta cost more than the render itself.
  const state = useRef(initial);
  const version = useSignal(0);
  const status = useSignal<ConnectionStatus>("connecting");
  const now = useSignal(renderedAt);

  useEffect(() => {
    now.value = Date.now();
    const tick = setInterval(() => now.value = Date.now(), 1000);
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = () => {
      source = new EventSource("/api/events");
      source.onopen = () => status.value = "live";
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED) {
          // The server refused (e.g. 503): EventSource gives up, so try again later.
          status.value = "offline";
          retry = setTimeout(open, 10_000);
        } else {
          status.value = "reconnecting";
        }
      };
      source.addEventListener("snapshot", (e) => {
        state.current = JSON.parse((e as MessageEvent).data).state;
        version.value++;
        status.value = "live";
      });
      source.addEventListener("delta", (e) => {
        const delta = JSON.parse((e as MessageEvent).data) as {
          changes: Change[];
          updatedAt: number | null;
        };
        applyChanges(state.current, delta.changes, delta.updatedAt);
        version.value++;
      });
    };
    open();
    const goOffline = () => status.value = "offline";
    addEventListener("offline", goOffline);
    return () => {
      clearInterval(tick);
      clearTimeout(retry);
      source?.close();
      removeEventListener("offline", goOffline);
    };
  }, []);

  // Read so that every applied delta re-renders the board.
  version.value;
  const current = state.current;
  return (
    <div class="board">
      <div class="board-top">
        <WeatherCard weather={current.weather} />
        <StatusBar
          status={status.value}
          updatedAt={current.updatedAt}
          now={now.value}
          clock={current.clock}
        />
      </div>
      {LINES.map((line) => (
        <LineCard
          key={line}
          line={line}
          state={current}
          freshness={freshness}
        />
      ))}
    </div>
  );
}
