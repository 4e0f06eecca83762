import type { Station, Train } from "../dashboard/state.ts";

const WIDTH = 1000;
const HEIGHT = 56;
const MARGIN = 14;

/** The line as a track with a dot per station; trains heading to the far end ride above it. */
export function LineDiagram(
  { stations, trains, color }: { stations: Station[]; trains: Train[]; color: string },
) {
  const step = stations.length > 1 ? (WIDTH - 2 * MARGIN) / (stations.length - 1) : 0;
  const xOf = new Map(stations.map((s, i) => [s.station_id, MARGIN + i * step]));
  return (
    <svg
      class="diagram"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="Trains along the line"
    >
      <line x1={MARGIN} y1={28} x2={WIDTH - MARGIN} y2={28} stroke={color} stroke-width="6" />
      {stations.map((s) => (
        <circle key={s.station_id} cx={xOf.get(s.station_id)} cy={28} r={4} fill="#fff">
          <title>{s.station_name}</title>
        </circle>
      ))}
      {trains.filter((t) => xOf.has(t.station_id)).map((t) => {
        const x = xOf.get(t.station_id)!;
        const outbound = t.direction === "b";
        return (
          <g
            key={t.train_id}
            class={`train train-${t.status}`}
            transform={`translate(${x.toFixed(1)} ${outbound ? 12 : 44})`}
          >
            <path d={outbound ? "M-7,-6 L7,0 L-7,6 Z" : "M7,-6 L-7,0 L7,6 Z"} fill={color} />
            <title>{t.train_id}</title>
          </g>
        );
      })}
    </svg>
  );
}
