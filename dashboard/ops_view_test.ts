import assert from "node:assert/strict";
import {
  chartWindow,
  describeSeries,
  formatRate,
  formatSpan,
  type OpsView,
  type Point,
  sparkline,
  type StageView,
  stateClass,
} from "./ops_view.ts";

const stage = (lagSeries: Point[]): StageView => ({
  name: "summary",
  url: "http://127.0.0.1:1",
  state: "ready",
  error: null,
  lastScrapeAtMs: null,
  lag: null,
  inPerSecond: null,
  outPerSecond: null,
  committedPerSecond: null,
  abortedPerSecond: null,
  deadLetters: null,
  throughputOf: "in",
  lagSeries,
  throughputSeries: [],
});

Deno.test("a sparkline runs from zero at the bottom to the peak at the top, with gaps", () => {
  const { path, last } = sparkline(
    [[0, 0], [10, 50], [20, null], [30, 100], [40, 25], [50, 7]],
    0,
    40,
    80,
    26,
  );
  // x: 2 per ms; y: 3 px of padding, 20 px for 0 to 100; the point after the window is left out.
  assert.equal(path, "M0 23L20 13M60 3L80 18");
  assert.deepEqual(last, [80, 18]);
  const flat = sparkline([[0, 0], [10, 0]], 0, 10, 10, 26);
  assert.equal(flat.path, "M0 23L10 23", "all zero: a line just above the bottom");
  assert.deepEqual(sparkline([[5, null]], 0, 10, 10, 26), { path: "", last: null });
});

Deno.test("the charts span the window, or the time since the first scrape, but at least 6 scrapes", () => {
  const view = (atMs: number, first: number | null): OpsView => ({
    atMs,
    windowMs: 600_000,
    intervalMs: 5_000,
    stages: [stage(first === null ? [] : [[first, 1]])],
  });
  assert.deepEqual(chartWindow(view(1_000_000, 100_000)), { fromMs: 400_000, toMs: 1_000_000 });
  assert.deepEqual(chartWindow(view(1_000_000, 900_000)), { fromMs: 900_000, toMs: 1_000_000 });
  assert.deepEqual(chartWindow(view(1_000_000, 995_000)), { fromMs: 970_000, toMs: 1_000_000 });
  assert.deepEqual(chartWindow(view(1_000_000, null)), { fromMs: 970_000, toMs: 1_000_000 });
});

Deno.test("the words: states, rates, spans and what a chart shows", () => {
  assert.equal(stateClass("not ready"), "not-ready");
  assert.equal(stateClass(null), "unknown");
  assert.equal(formatRate(null), "–");
  assert.equal(formatRate(0), "0/s");
  assert.equal(formatRate(2.345), "2.3/s");
  assert.equal(formatRate(12345.6), "12,346/s");
  assert.equal(formatSpan(600_000), "10 minutes");
  assert.equal(formatSpan(45_000), "45 s");
  assert.equal(
    describeSeries("lag", [[0, 3], [1, 12], [2, null]], 600_000, String),
    "lag, last 10 minutes: now 12, peak 12",
  );
  assert.equal(describeSeries("lag", [[0, null]], 30_000, String), "lag, last 30 s: no data yet");
});
