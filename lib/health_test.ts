import assert from "node:assert/strict";
import { healthResponse, serveHealth } from "./health.ts";
import { StageMetrics } from "./metrics.ts";

Deno.test("readyz is 503 until the stage is ready, and healthz 503 once it failed", async () => {
  const state = { live: true, ready: false };
  const source = { live: () => state.live, ready: () => state.ready, detail: () => state };
  assert.equal(healthResponse("/healthz", source).status, 200);
  assert.equal(healthResponse("/readyz", source).status, 503);
  state.ready = true;
  assert.equal(healthResponse("/readyz", source).status, 200);
  assert.deepEqual(await healthResponse("/readyz", source).json(), { ok: true, detail: state });
  state.live = false;
  assert.equal(healthResponse("/healthz", source).status, 503);
  assert.equal(healthResponse("/readyz", source).status, 503);
  assert.equal(healthResponse("/metrics", source).status, 404);
});

Deno.test("the health server answers on loopback at the port it reports", async () => {
  const server = await serveHealth({ live: () => true, ready: () => false }, {
    host: "127.0.0.1",
    port: 0,
  });
  try {
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    await ready.body?.cancel();
    const live = await fetch(`${server.url}/healthz`);
    assert.equal(live.status, 200);
    await live.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("the health server serves a stage's metrics at /metrics", async () => {
  const metrics = new StageMetrics("test-stage");
  metrics.recordsIn.inc({ topic: "t" }, 3);
  const server = await serveHealth(
    { live: () => true, ready: () => true, metrics: () => metrics.scrape() },
    { host: "127.0.0.1", port: 0 },
  );
  try {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(
      await response.text(),
      /^cta_records_in_total\{topic="t",stage="test-stage"\} 3$/m,
    );
  } finally {
    await server.shutdown();
  }
});
