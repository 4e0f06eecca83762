import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { formatAge } from "../dashboard/format.ts";
import {
  chartWindow,
  describeSeries,
  formatNumber,
  formatRate,
  type OpsView,
  peak,
  type Point,
  type StageView,
  STATE_WORDS,
  stateClass,
} from "../dashboard/ops_view.ts";
import { Sparkline } from "../components/Sparkline.tsx";

export interface OpsBoardProps {
  initial: OpsView;
}

/** Every stage's state, lag and throughput: server-rendered, then polled from /api/ops. */
export default function OpsBoard({ initial }: OpsBoardProps) {
  const view = useSignal(initial);
  const reachable = useSignal(true);
  const now = useSignal(initial.atMs);

  useEffect(() => {
    now.value = Date.now();
    const tick = setInterval(() => now.value = Date.now(), 1000);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const response = await fetch("/api/ops", { cache: "no-store" });
        if (!response.ok) throw new Error(String(response.status));
        view.value = await response.json();
        reachable.value = true;
      } catch {
        reachable.value = false;
      }
      if (!stopped) timer = setTimeout(poll, view.value.intervalMs);
    };
    timer = setTimeout(poll, view.value.intervalMs);
    return () => {
      stopped = true;
      clearInterval(tick);
      clearTimeout(timer);
    };
  }, []);

  const current = view.value;
  const minutes = Math.round(current.windowMs / 60_000);
  const { fromMs, toMs } = chartWindow(current);
  return (
    <div class="ops-board">
      <div class="ops-top">
        <p class="ops-intro">
          Each stage&rsquo;s health and readiness, consumer lag and throughput over the last{" "}
          {minutes} minutes, read from its <code>/metrics</code> every{" "}
          {Math.round(current.intervalMs / 1000)} s.
        </p>
        <span
          class={`pill ${reachable.value ? "pill-live" : "pill-offline"}`}
          data-testid="ops-freshness"
        >
          <span class="pill-dot" aria-hidden="true" />
          {reachable.value ? formatAge(current.atMs, now.value) : "dashboard not answering"}
        </span>
      </div>
      <div class="ops-grid">
        {current.stages.map((stage) => (
          <StageCard
            key={stage.name}
            stage={stage}
            fromMs={fromMs}
            toMs={toMs}
          />
        ))}
      </div>
    </div>
  );
}

function StageCard(
  { stage, fromMs, toMs }: { stage: StageView; fromMs: number; toMs: number },
) {
  const within = (series: Point[]) => series.filter(([atMs]) => atMs >= fromMs);
  const lagSeries = within(stage.lagSeries);
  const throughputSeries = within(stage.throughputSeries);
  const state = stage.state === null ? "Waiting for the first scrape" : STATE_WORDS[stage.state];
  const throughput = stage.throughputOf === "in" ? stage.inPerSecond : stage.outPerSecond;
  const throughputWords = stage.throughputOf === "in" ? "Records in" : "Records out";
  return (
    <article
      class={`ops-stage state-${stateClass(stage.state)}`}
      data-stage={stage.name}
      data-state={stage.state ?? "unknown"}
    >
      <header class="ops-stage-head">
        <h3>{stage.name}</h3>
        <span class="state-badge" data-testid={`state-${stage.name}`}>
          <span class="state-dot" aria-hidden="true" />
          {state}
        </span>
      </header>
      <p class="ops-url">{stage.url}</p>
      <dl class="ops-figures">
        <div>
          <dt>Lag now</dt>
          <dd data-testid={`lag-${stage.name}`}>{formatNumber(stage.lag)}</dd>
        </div>
        <div>
          <dt>{throughputWords}</dt>
          <dd data-testid={`throughput-${stage.name}`} data-value={throughput ?? ""}>
            {formatRate(throughput)}
          </dd>
        </div>
        <div>
          <dt>Transactions</dt>
          <dd>
            {stage.committedPerSecond === null ? "–" : (
              <>
                {formatRate(stage.committedPerSecond)}{" "}
                <span class={stage.abortedPerSecond ? "aborted" : "muted"}>
                  ({formatRate(stage.abortedPerSecond)} aborted)
                </span>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Dead letters</dt>
          <dd class={stage.deadLetters ? "aborted" : undefined}>
            {formatNumber(stage.deadLetters)}
          </dd>
        </div>
      </dl>
      <div class="ops-charts">
        <Chart
          caption="Consumer lag"
          what={`${stage.name} consumer lag`}
          kind="lag"
          series={lagSeries}
          fromMs={fromMs}
          toMs={toMs}
          format={formatNumber}
        />
        <Chart
          caption={`${throughputWords} per second`}
          what={`${stage.name} ${throughputWords.toLowerCase()} per second`}
          kind="throughput"
          series={throughputSeries}
          fromMs={fromMs}
          toMs={toMs}
          format={formatRate}
        />
      </div>
      {stage.error && <p class="ops-error">{stage.error}</p>}
    </article>
  );
}

/** A captioned sparkline with its peak, the top of its scale, in its corner. */
function Chart(
  { caption, what, kind, series, fromMs, toMs, format }: {
    caption: string;
    what: string;
    kind: "lag" | "throughput";
    series: Point[];
    fromMs: number;
    toMs: number;
    format: (n: number | null) => string;
  },
) {
  const top = peak(series);
  return (
    <figure>
      <figcaption>{caption}</figcaption>
      <div class="ops-chart-box">
        <Sparkline
          kind={kind}
          series={series}
          fromMs={fromMs}
          toMs={toMs}
          label={describeSeries(what, series, toMs - fromMs, format)}
        />
        {top !== null && <span class="ops-chart-top" aria-hidden="true">{format(top)}</span>}
      </div>
    </figure>
  );
}
