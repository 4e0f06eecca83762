import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { LINES } from "../lib/contracts/enums.ts";
import type { DashboardState } from "../dashboard/state.ts";
import type { FreshnessPolicy } from "../dashboard/freshness.ts";
import { StatusBar } from "../components/StatusBar.tsx";
import { WeatherCard } from "../components/WeatherCard.tsx";
import { LineCard } from "../components/LineCard.tsx";
import { WhileVisible } from "../components/WhileVisible.tsx";
import { useLiveState } from "./use_live_state.ts";

export interface TransitBoardProps {
  initial: DashboardState;
  renderedAt: number;
  /** When a train that stopped reporting is shown as such (the server removes it later). */
  freshness: FreshnessPolicy;
}

/** The live board: server-rendered, then kept current from /api/events. */
export default function TransitBoard({ initial, renderedAt, freshness }: TransitBoardProps) {
  const live = useLiveState(initial);
  const now = useSignal(renderedAt);

  useEffect(() => {
    now.value = Date.now();
    const tick = setInterval(() => now.value = Date.now(), 1000);
    return () => clearInterval(tick);
  }, []);

  const current = live.state ?? initial;
  const fast = useFastClock(current.clock);
  return (
    <div class={fast ? "board board-fast" : "board"}>
      <div class="board-top">
        <WeatherCard weather={current.weather} />
        <StatusBar
          status={live.status}
          updatedAt={current.updatedAt}
          now={now.value}
          clock={current.clock}
        />
      </div>
      {LINES.map((line) => (
        <WhileVisible key={line} offscreenIntervalMs={OFFSCREEN_RENDER_INTERVAL_MS}>
          <LineCard line={line} state={current} freshness={freshness} />
        </WhileVisible>
      ))}
    </div>
  );
}

/** How often a line card out of view is brought up to date (in view, with every change). */
const OFFSCREEN_RENDER_INTERVAL_MS = 1000;

/** Below this many real milliseconds per simulated step, trains jump instead of gliding. */
const GLIDE_MIN_STEP_MS = 1000;

/** True while the event-time clock moves on more often than GLIDE_MIN_STEP_MS. */
function useFastClock(clock: number | null): boolean {
  const last = useRef<{ clock: number | null; at: number; fast: boolean }>({
    clock,
    at: 0,
    fast: false,
  });
  if (clock !== last.current.clock) {
    const at = performance.now();
    last.current = { clock, at, fast: at - last.current.at < GLIDE_MIN_STEP_MS };
  }
  return last.current.fast;
}
