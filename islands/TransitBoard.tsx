import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { LINES } from "../lib/contracts/enums.ts";
import { applyChanges, type Change, cloneState, type DashboardState } from "../dashboard/state.ts";
import { type ConnectionStatus, StatusBar } from "../components/StatusBar.tsx";
import { WeatherCard } from "../components/WeatherCard.tsx";
import { LineCard } from "../components/LineCard.tsx";

export interface TransitBoardProps {
  initial: DashboardState;
  renderedAt: number;
}

/** The live board: server-rendered, then kept current from /api/events. */
export default function TransitBoard({ initial, renderedAt }: TransitBoardProps) {
  const state = useSignal(initial);
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
        state.value = JSON.parse((e as MessageEvent).data).state;
        status.value = "live";
      });
      source.addEventListener("delta", (e) => {
        const delta = JSON.parse((e as MessageEvent).data) as {
          changes: Change[];
          updatedAt: number | null;
        };
        const next = cloneState(state.value);
        applyChanges(next, delta.changes, delta.updatedAt);
        state.value = next;
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

  const current = state.value;
  return (
    <div class="board">
      <div class="board-top">
        <WeatherCard weather={current.weather} />
        <StatusBar status={status.value} updatedAt={current.updatedAt} now={now.value} />
      </div>
      {LINES.map((line) => <LineCard key={line} line={line} state={current} />)}
    </div>
  );
}
