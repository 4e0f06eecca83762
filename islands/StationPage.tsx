import { useEffect, useState } from "preact/hooks";
import type { DashboardState } from "../dashboard/state.ts";
import type { StationChart } from "../dashboard/ridership_chart.ts";
import { stationView } from "../dashboard/station_view.ts";
import { formatCount } from "../dashboard/format.ts";
import { LineBadge, StationArrivals } from "../components/StationArrivals.tsx";
import { EntriesChart } from "../components/EntriesChart.tsx";
import { useLiveState } from "./use_live_state.ts";

export interface StationPageProps {
  stationId: number;
  initial: DashboardState;
  chart: StationChart;
}

const CHART_REFRESH_MS = 60_000;

/** A station's page: server-rendered, then kept current from /api/events; the chart every minute. */
export default function StationPage({ stationId, initial, chart: initialChart }: StationPageProps) {
  const { state } = useLiveState(initial);
  const [chart, setChart] = useState(initialChart);

  useEffect(() => {
    const refresh = async () => {
      try {
        const res = await fetch(`/api/stations/${stationId}/entries`);
        if (res.ok) setChart(await res.json());
      } catch {
        // Keep the chart shown; the next refresh tries again.
      }
    };
    const timer = setInterval(refresh, CHART_REFRESH_MS);
    return () => clearInterval(timer);
  }, [stationId]);

  const view = stationView(state ?? initial, stationId);
  if (view === null) {
    return <p class="station-gone">This station is no longer on any line.</p>;
  }
  return (
    <article class="station" data-station={view.station_id}>
      <header class="station-header">
        <h2 id="station-name">{view.name}</h2>
        <p class="station-lines" data-testid="station-lines">
          <span class="visually-hidden">Served by</span>
          {view.lines.map((line) => <LineBadge key={line} line={line} />)}
        </p>
      </header>
      <StationArrivals view={view} />
      <section class="station-entries" aria-labelledby="entries-heading">
        <h3 id="entries-heading">Entries</h3>
        <dl class="entries-figures">
          <div>
            <dt>Today ({chart.dateLabel})</dt>
            <dd data-testid="entries-today">
              {chart.total === null ? "unavailable" : formatCount(chart.total)}
            </dd>
          </div>
          <div>
            <dt>Since the feed started</dt>
            <dd data-testid="entries-feed">
              {view.entries === null ? "none yet" : formatCount(view.entries)}
            </dd>
          </div>
        </dl>
        <EntriesChart chart={chart} />
      </section>
    </article>
  );
}
