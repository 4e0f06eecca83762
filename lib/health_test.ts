import assert from "node:assert/strict";
import { healthResponse, serveHealth } from "./health.ts";

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
