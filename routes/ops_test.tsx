import assert from "node:assert/strict";
import { testApp } from "../dashboard/app_fixture.ts";
import { OpsHistory, readProbe } from "../dashboard/ops.ts";
import { StageMetrics } from "../lib/metrics.ts";
import { decodeEmbeddedJson } from "../dashboard/format.ts";
import { renderOpsPage } from "./ops.tsx";

const EVIL = "<img src=x onerror=alert(1)>";

/** Two stages: a summary counting 40 records a second, and one that stopped answering. */
async function history(): Promise<OpsHistory> {
  const ops = new OpsHistory([
    { name: "summary", url: "http://127.0.0.1:9101" },
    { name: "stations", url: "http://127.0.0.1:9102" },
  ]);
  for (let i = 0; i < 4; i++) {
    const metrics = new StageMetrics("summary");
    metrics.recordsIn.inc({ topic: "turnstiles" }, 1 + i * 200);
    metrics.consumerLag.set({ topic: "turnstiles", partition: "0" }, 9 - i);
    const atMs = 1_000_000 + i * 5_000;
    const body = (await metrics.scrape()).body;
    ops.add("summary", readProbe({ atMs, healthz: 200, readyz: 200, metrics: body }));
    ops.add(
      "stations",
      readProbe({ atMs, healthz: null, readyz: null, metrics: null, error: EVIL }),
    );
  }
  return ops;
}

Deno.test("the ops page shows each stage's state in words, its figures and named charts", async () => {
  const view = (await history()).view(1_015_000);
  const html = renderOpsPage(view);
  const summary = html.slice(
    html.indexOf('data-stage="summary"'),
    html.indexOf('data-stage="stations"'),
  );
  assert.match(summary, /data-state="ready"/);
  assert.match(summary, />Ready</);
  assert.match(summary, /data-testid="throughput-summary" data-value="40">40\/s</);
  assert.match(summary, /data-testid="lag-summary">6</);
  assert.match(
    summary,
    /<svg[^>]*role="img"[^>]*aria-label="summary consumer lag, last 30 s: now 6, peak 9"/,
  );
  assert.match(summary, /<title>summary records in per second, last 30 s: now 40\/s/);
  assert.match(summary, /class="sparkline-line" d="M[\d.]+ [\d.]+L/);

  const stations = html.slice(html.indexOf('data-stage="stations"'));
  assert.match(stations, /data-state="unreachable"/);
  assert.match(stations, />Unreachable</);
  assert.match(stations, /no data yet/);
  // What a stage says is text, never markup.
  assert.ok(!html.includes(EVIL));
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)>"));

  const embedded = html.match(/<script type="application\/json" id="ops-state">(.*?)<\/script>/s);
  assert.ok(embedded);
  assert.deepEqual(decodeEmbeddedJson(embedded[1]), { initial: view });
});

Deno.test("/ops and /api/ops serve the scraper's view, uncached", async () => {
  const ops = await history();
  const { app, live } = testApp({ maxClients: 1, ops: { view: () => ops.view(1_015_000) } });
  try {
    const api = await app.request("/api/ops");
    assert.equal(api.headers.get("Cache-Control"), "no-store");
    const body = await api.json();
    assert.deepEqual(body.stages.map((s: { name: string }) => s.name), ["summary", "stations"]);
    assert.equal(body.stages[0].inPerSecond, 40);
    const page = await app.request("/ops");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("Content-Security-Policy") ?? "", /script-src 'self'/);
    assert.match(await page.text(), /<link rel="stylesheet" href="\/static\/ops.css"/);
  } finally {
    live.hub.close();
  }
});
