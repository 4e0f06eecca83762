import assert from "node:assert/strict";
import { StageMetrics } from "../lib/metrics.ts";
import { parseMetricsWithPrometheusClient } from "../tests/foreign/prometheus.ts";
import {
  increase,
  OpsHistory,
  parseExposition,
  type Probe,
  readProbe,
  recentRate,
  stateOf,
} from "./ops.ts";

/** A stage's real exposition, as prom-client writes it, after some work. */
async function exposition(
  work: { in?: number; out?: number; committed?: number; aborted?: number; lag?: number[] },
  stage = "summary",
): Promise<string> {
  const metrics = new StageMetrics(stage);
  if (work.in) metrics.recordsIn.inc({ topic: "turnstiles" }, work.in);
  if (work.out) metrics.recordsOut.inc({ topic: "TURNSTILE_SUMMARY" }, work.out);
  if (work.committed) metrics.transactions.inc({ outcome: "committed" }, work.committed);
  if (work.aborted) metrics.transactions.inc({ outcome: "aborted" }, work.aborted);
  (work.lag ?? []).forEach((lag, partition) =>
    metrics.consumerLag.set({ topic: "turnstiles", partition: String(partition) }, lag)
  );
  metrics.transactionSeconds.observe(0.02);
  return (await metrics.scrape()).body;
}

const probe = (atMs: number, metrics: string | null, ready = true): Probe => ({
  atMs,
  healthz: 200,
  readyz: ready ? 200 : 503,
  metrics,
});

Deno.test("the exposition reads as the Prometheus client's own parser reads it", async () => {
  const metrics = new StageMetrics("summary");
  const oddTopic = 'odd "topic"\\with\nnewline';
  metrics.recordsIn.inc({ topic: oddTopic }, 7);
  metrics.recordsIn.inc({ topic: "turnstiles" }, 1234567);
  metrics.deadLetters.inc({ topic: "turnstiles" }, 3);
  metrics.transactions.inc({ outcome: "committed" }, 40);
  metrics.consumerLag.set({ topic: "turnstiles", partition: "0" }, 12.5);
  metrics.restoreSeconds.observe(1.5);
  metrics.ready.set(1);
  const text = (await metrics.scrape()).body;

  const ours = parseExposition(text);
  const theirs = (await parseMetricsWithPrometheusClient(text))
    .filter((s) => !/_(bucket|sum|count|created)$/.test(s.name));
  const key = (s: { name: string; labels: Record<string, string> }) =>
    `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
  assert.deepEqual(
    new Map(ours.map((s) => [key(s), s.value])),
    new Map(theirs.map((s) => [key(s), s.value])),
  );
  assert.ok(ours.some((s) => s.labels.topic === oddTopic && s.value === 7), "labels unescaped");
  assert.ok(!ours.some((s) => s.name.startsWith("cta_restore_seconds")), "histograms left out");
});

Deno.test("a stage's state comes from /healthz and /readyz, its absence included", () => {
  assert.equal(stateOf({ atMs: 0, healthz: 200, readyz: 200, metrics: null }), "ready");
  assert.equal(stateOf({ atMs: 0, healthz: 200, readyz: 503, metrics: null }), "not ready");
  assert.equal(stateOf({ atMs: 0, healthz: 503, readyz: 503, metrics: null }), "down");
  assert.equal(
    stateOf({ atMs: 0, healthz: null, readyz: null, metrics: null, error: "refused" }),
    "unreachable",
  );
});

Deno.test("lag is summed over partitions; text that is no exposition gives no counters", async () => {
  const reading = readProbe(probe(0, await exposition({ lag: [5, 0, 37] }), false));
  assert.equal(reading.state, "not ready");
  assert.equal(reading.lag, 42);
  assert.equal(readProbe(probe(0, await exposition({}))).lag, null, "no lag series: unknown");

  const garbage = readProbe(probe(0, "this is { not metrics"));
  assert.equal(garbage.state, "ready");
  assert.equal(garbage.counters?.recordsIn.size ?? 0, 0);
});

Deno.test("counter increases survive a restart (reset) and new series, as Prometheus counts them", async () => {
  const before = readProbe(probe(0, await exposition({ in: 1000, committed: 10 })));
  const grown = readProbe(probe(5_000, await exposition({ in: 1600, committed: 14 })));
  assert.equal(increase(before, grown, "recordsIn"), 600);
  assert.equal(increase(before, grown, "committed"), 4);
  // The process restarted: its counters start again from zero.
  const restarted = readProbe(probe(10_000, await exposition({ in: 250 })));
  assert.equal(increase(grown, restarted, "recordsIn"), 250);
  // A topic seen for the first time counts whole.
  const metrics = new StageMetrics("summary");
  metrics.recordsIn.inc({ topic: "turnstiles" }, 250);
  metrics.recordsIn.inc({ topic: "other" }, 30);
  const newTopic = readProbe(probe(15_000, (await metrics.scrape()).body));
  assert.equal(increase(restarted, newTopic, "recordsIn"), 30);
  const unreachable = readProbe({ atMs: 20_000, healthz: null, readyz: null, metrics: null });
  assert.equal(increase(newTopic, unreachable, "recordsIn"), null);
});

Deno.test("the rate now averages the last scrapes, and stops at a gap", async () => {
  const at = async (atMs: number, n: number) => readProbe(probe(atMs, await exposition({ in: n })));
  const readings = [
    await at(0, 0),
    await at(5_000, 500),
    await at(10_000, 500),
    await at(15_000, 2000),
    await at(20_000, 2000),
  ];
  // The last 15 s: 1500 records.
  assert.equal(recentRate(readings, "recordsIn"), 100);
  assert.equal(recentRate(readings, "recordsIn", 5_000), 0);
  assert.equal(recentRate(readings.slice(0, 2), "recordsIn"), 100);
  assert.equal(recentRate(readings.slice(0, 1), "recordsIn"), null);
  const gap = readProbe({ atMs: 25_000, healthz: null, readyz: null, metrics: null });
  assert.equal(recentRate([...readings, gap], "recordsIn"), null);
});

Deno.test("the history keeps the window, and its view has one point per scrape", async () => {
  const history = new OpsHistory(
    [{ name: "summary", url: "http://127.0.0.1:1" }, { name: "rest-proxy", url: "http://x:2" }],
    60_000,
  );
  for (let i = 0; i <= 30; i++) {
    const atMs = i * 5_000;
    history.add("summary", readProbe(probe(atMs, await exposition({ in: i * 50, lag: [30 - i] }))));
    history.add(
      "rest-proxy",
      readProbe(probe(atMs, await exposition({ out: i * 10 }, "rest-proxy"))),
    );
  }
  assert.throws(() => history.add("nobody", readProbe(probe(0, null))), /not an ops target/);
  const view = history.view(150_000);
  const summary = view.stages[0];
  assert.equal(summary.name, "summary");
  assert.equal(summary.state, "ready");
  assert.equal(summary.lag, 0);
  assert.equal(summary.inPerSecond, 10);
  assert.equal(summary.throughputOf, "in");
  // 60 s of 5 s scrapes, and the one just before, for the first rate.
  assert.equal(summary.lagSeries.length, 14);
  assert.deepEqual(summary.lagSeries.at(-1), [150_000, 0]);
  assert.ok(summary.lagSeries[1][0] >= 150_000 - 60_000);
  assert.equal(summary.throughputSeries.length, 13);
  assert.ok(summary.throughputSeries.every(([, v]) => v === 10));

  const proxy = view.stages[1];
  assert.equal(
    proxy.throughputOf,
    "out",
    "a stage that reads nothing is measured by what it writes",
  );
  assert.equal(proxy.outPerSecond, 2);
  assert.equal(proxy.inPerSecond, 0);
  assert.equal(proxy.lag, null);
  assert.equal(proxy.committedPerSecond, null, "no transactions: none shown");

  const empty = new OpsHistory([{ name: "stations", url: "http://y:3" }]).view(0).stages[0];
  assert.equal(empty.state, null);
  assert.deepEqual(empty.lagSeries, []);
  assert.equal(empty.inPerSecond, null);
});
