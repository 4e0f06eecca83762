import type { Line } from "../lib/contracts/enums.ts";
import type { Station, Train } from "../dashboard/state.ts";
import {
  type FreshnessPolicy,
  NOT_REPORTING,
  statusWords,
  trainDescription,
  trainFreshness,
} from "../dashboard/freshness.ts";

const WIDTH = 1000;
const HEIGHT = 56;
const MARGIN = 14;

interface DiagramProps {
  line: Line;
  stations: Station[];
  trains: Train[];
  color: string;
  clock: number | null;
  freshness: FreshnessPolicy;
}

/**
 * The trains that are not simply in service and reporting, in words under the drawing, so that
 * the diagram does not tell them apart by colour alone.
 */
function DiagramNotes(
  { line, trains, clock, freshness }: Omit<DiagramProps, "stations" | "color">,
) {
  const groups = new Map<string, string[]>();
  for (const t of trains) {
    const stale = trainFreshness(t, clock, freshness) !== "fresh";
    if (!stale && t.status === "in_service") continue;
    const words = stale ? NOT_REPORTING : statusWords(t.status);
    groups.set(words, [...(groups.get(words) ?? []), t.train_id]);
  }
  return (
    <p class="diagram-notes" data-testid={`diagram-notes-${line}`}>
      {groups.size === 0 ? "All trains in service and reporting" : (
        [...groups].map(([words, ids]) => (
          <span key={words} class={`diagram-note${words === NOT_REPORTING ? " stale" : ""}`}>
            {words}: {ids.join(", ")}
          </span>
        ))
      )}
    </p>
  );
}

/** The line as a track with a dot per station; trains heading to the far end ride above it. */
export function LineDiagram(props: DiagramProps) {
  const { stations, trains, color, clock, freshness } = props;
  const step = stations.length > 1 ? (WIDTH - 2 * MARGIN) / (stations.length - 1) : 0;
  const xOf = new Map(stations.map((s, i) => [s.station_id, MARGIN + i * step]));
  const shown = trains.filter((t) => xOf.has(t.station_id))
    .sort((x, y) => x.train_id.localeCompare(y.train_id));
  return (
    <>
      <svg
        class="diagram"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="group"
        aria-label="Trains along the line"
      >
        <line x1={MARGIN} y1={28} x2={WIDTH - MARGIN} y2={28} stroke={color} stroke-width="6" />
        {stations.map((s) => (
          <circle key={s.station_id} cx={xOf.get(s.station_id)} cy={28} r={4} fill="#fff">
            <title>{s.station_name}</title>
          </circle>
        ))}
        {shown.map((t) => {
          const x = xOf.get(t.station_id)!;
          const outbound = t.direction === "b";
          const state = trainFreshness(t, clock, freshness);
          const description = trainDescription(t, clock, freshness);
          return (
            <g
              key={t.train_id}
              class={`train train-${t.status} train-${state}`}
              data-train={t.train_id}
              data-freshness={state}
              transform={`translate(${x.toFixed(1)} ${outbound ? 12 : 44})`}
              role="img"
              aria-label={description}
            >
              <path d={outbound ? "M-7,-6 L7,0 L-7,6 Z" : "M7,-6 L-7,0 L7,6 Z"} fill={color} />
              <title>{description}</title>
            </g>
          );
        })}
      </svg>
      <DiagramNotes {...props} />
    </>
  );
}
