import { type Point, sparkline } from "../dashboard/ops_view.ts";

const WIDTH = 240;
const HEIGHT = 44;

/**
 * A small line chart of a series over [fromMs, toMs], named in words for screen readers, with a
 * dot on the latest value. It stretches to its box; strokes keep their width.
 */
export function Sparkline(
  { series, fromMs, toMs, label, kind }: {
    series: readonly Point[];
    fromMs: number;
    toMs: number;
    /** What it shows, in words: its accessible name and tooltip. */
    label: string;
    kind: "lag" | "throughput";
  },
) {
  const { path, last } = sparkline(series, fromMs, toMs, WIDTH, HEIGHT);
  return (
    <svg
      class={`sparkline sparkline-${kind}`}
      role="img"
      aria-label={label}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
    >
      <title>{label}</title>
      <line
        class="sparkline-base"
        x1="0"
        y1={HEIGHT - 0.5}
        x2={WIDTH}
        y2={HEIGHT - 0.5}
        vector-effect="non-scaling-stroke"
      />
      {path && <path class="sparkline-line" d={path} vector-effect="non-scaling-stroke" />}
      {last && (
        <path
          class="sparkline-now"
          d={`M${last[0]} ${last[1]}h0`}
          vector-effect="non-scaling-stroke"
        />
      )}
    </svg>
  );
}
