import assert from "node:assert/strict";
import { testApp } from "./app_fixture.ts";

const makeApp = (maxClients = 5) => testApp({ maxClients });

Deno.test("every response carries a CSP that forbids inline script, and other headers", async () => {
  const { app, live } = makeApp();
  const res = await app.request("/api/state");
  const csp = res.headers.get("Content-Security-Policy") ?? "";
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
  assert.equal(res.headers.get("Referrer-Policy"), "no-referrer");
  await res.body?.cancel();
  live.hub.close();
});

Deno.test("no endpoint accepts writes", async () => {
  const { app, live } = makeApp();
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    const res = await app.request("/api/state", { method });
    assert.equal(res.status, 405, method);
    await res.body?.cancel();
  }
  live.hub.close();
});

Deno.test("/api/state returns the applied state", async () => {
  const { app, live } = makeApp();
  live.apply([{ kind: "turnstile", station_id: 40900, count: 17 }], 1000);
  const body = await (await app.request("/api/state")).json();
  assert.equal(body.state.turnstiles["40900"], 17);
  assert.equal(body.state.updatedAt, 1000);
  live.hub.close();
});

Deno.test("/api/events streams retry, a snapshot, then a delta of a new change", async () => {
  const { app, live } = makeApp();
  const res = await app.request("/api/events");
  assert.equal(res.headers.get("Content-Type"), "text/event-stream; charset=utf-8");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("event: snapshot")) text += (await reader.read()).value;
  assert.ok(text.startsWith("retry: "));
  live.apply([{ kind: "turnstile", station_id: 1, count: 5 }], 2000);
  while (!text.includes("event: delta")) text += (await reader.read()).value;
  assert.match(text, /"count":5/);
  await reader.cancel();
  assert.equal(live.hub.clientCount, 0);
  live.hub.close();
});

Deno.test("/api/events answers 503 beyond the client cap", async () => {
  const { app, live } = makeApp(1);
  const first = await app.request("/api/events");
  const second = await app.request("/api/events");
  assert.equal(second.status, 503);
  await first.body?.cancel();
  await second.body?.cancel();
  live.hub.close();
});

Deno.test("/api/state and the page wait for the replay, then serve the caught-up state", async () => {
  const { app, live } = makeApp();
  live.startReplay("TURNSTILE_SUMMARY");
  live.apply([{ kind: "turnstile", station_id: 40900, count: 33 }], 1000);
  let answered = false;
  const state = Promise.resolve(app.request("/api/state")).then((res) => {
    answered = true;
    return res.json();
  });
  const page = Promise.resolve(app.request("/")).then((res) => res.text());
  const health = await (await app.request("/healthz")).json();
  assert.deepEqual(health.replaying, ["TURNSTILE_SUMMARY"]);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(answered, false);
  live.apply([{ kind: "turnstile", station_id: 40900, count: 406 }], 2000);
  live.endReplay("TURNSTILE_SUMMARY");
  const body = await state;
  assert.equal(body.replaying, false);
  assert.equal(body.state.turnstiles["40900"], 406);
  assert.equal(body.id, live.hub.lastEventId);
  assert.match(await page, /406/);
  live.close();
});
