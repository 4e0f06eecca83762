import { chartGeometry, type StationChart } from "../dashboard/ridership_chart.ts";
import { countOf, formatCount } from "../dashboard/format.ts";

const DAY_TYPE_WORDS = { weekday: "weekday", saturday: "Saturday", sunday: "Sunday" } as const;

/**
 * Entries per hour of a Chicago day as bars against a typical day as a dashed line, with the same
 * numbers in a table for screen readers.
 */
export function EntriesChart({ chart }: { chart: StationChart }) {
  const g = chartGeometry(chart.rows);
  const typical = `a typical ${DAY_TYPE_WORDS[chart.dayType]}`;
  const title = `Entries per hour on ${chart.dateLabel} against ${typical}`;
  const summary = [
    chart.total === null
      ? "Entries per hour are unavailable: the history cannot be read right now."
      : `${countOf(chart.total, "entry", "entries")} so far that day.`,
    chart.typicalTotal === null
      ? "No typical day is known for this station."
      : `${typical[0].toUpperCase()}${typical.slice(1)} has ${
        countOf(chart.typicalTotal, "entry", "entries")
      }.`,
  ].join(" ");
  const axisBottom = g.yTicks[0]?.y ?? 0;
  return (
    <figure class="entries-chart" data-history={chart.history}>
      <figcaption>
        <span class="chart-title">{title}</span>
        <span class="chart-legend">
          <span class="legend-bar" aria-hidden="true" /> Entries (bars){" "}
          <span class="legend-line" aria-hidden="true" /> Typical day (dashed line)
        </span>
      </figcaption>
      {chart.history === "unavailable" && (
        <p class="chart-unavailable" data-testid="history-unavailable">
          History unavailable: today's entries per hour cannot be read right now. The line shows a
          typical day.
        </p>
      )}
      <svg
        class="chart"
        viewBox={`0 0 ${g.width} ${g.height}`}
        role="img"
        aria-labelledby={`chart-title-${chart.station_id} chart-desc-${chart.station_id}`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`chart-title-${chart.station_id}`}>{title}</title>
        <desc id={`chart-desc-${chart.station_id}`}>{summary}</desc>
        {g.yTicks.map((t) => (
          <g key={t.label} class="tick">
            <line x1={g.plotLeft} x2={g.plotRight} y1={t.y} y2={t.y} class="gridline" />
            <text x={g.plotLeft - 8} y={t.y + 5} text-anchor="end">{t.label}</text>
          </g>
        ))}
        {g.bars.map((b) => (
          <rect key={b.row.hour} class="bar" x={b.x} y={b.y} width={b.width} height={b.height} />
        ))}
        {g.typicalPoints && <polyline class="typical" points={g.typicalPoints} />}
        {g.xLabels.map((l) => (
          <text key={l.x} x={l.x} y={axisBottom + 24} text-anchor="middle">{l.label}</text>
        ))}
      </svg>
      <p class="chart-summary">{summary}</p>
      <div class="visually-hidden">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              <th scope="col">Entries</th>
              <th scope="col">Typical</th>
            </tr>
          </thead>
          <tbody>
            {chart.rows.map((r) => (
              <tr key={r.hour}>
                <th scope="row">{r.label}</th>
                <td>{r.entries === null ? "not yet" : formatCount(r.entries)}</td>
                <td>{r.typical === null ? "unknown" : formatCount(r.typical)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
