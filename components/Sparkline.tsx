import { type Point, sparklinePath } from "../dashboard/ops_view.ts";

const WIDTH = 240;
const HEIGHT = 44;

/** A small line chart of a series over [fromMs, toMs], named in words for screen readers. */
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
  const path = sparklinePath(series, fromMs, toMs, WIDTH, HEIGHT);
  return (
    <svg
      class={`sparkline sparkline-${kind}`}
      role="img"
      aria-label={label}
      viewBox={`0 -2 ${WIDTH} ${HEIGHT + 4}`}
      preserveAspectRatio="none"
    >
      <title>{label}</title>
      <line class="sparkline-base" x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} />
      {path && <path d={path} vector-effect="non-scaling-stroke" />}
    </svg>
  );
}
