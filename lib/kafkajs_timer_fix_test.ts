import assert from "node:assert/strict";
import process from "node:process";
import { kafkajsOwnScheduling, type SchedulingQueue } from "./kafkajs_timer_fix.ts";
import "./kafkajs.ts";
import { kafkajsRequire } from "./kafkajs_upstream.ts";

function queue(throttledUntil: number, pending: unknown[] = []) {
  const checks: number[] = [];
  const q: SchedulingQueue = {
    throttledUntil,
    throttleCheckTimeoutId: null,
    pending,
    checkPendingRequests: () => void checks.push(Date.now()),
  };
  return { q, checks };
}

/** The warnings Node emits while `run` schedules, and after its timers ran. */
async function warningsOf(run: () => void): Promise<string[]> {
  const warnings: string[] = [];
  const listen = (w: Error) => void warnings.push(w.name);
  process.on("warning", listen);
  try {
    run();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.off("warning", listen);
  }
  return warnings;
}

const installed = () =>
  kafkajsRequire()("./src/network/requestQueue/index.js").prototype.scheduleCheckPendingRequests;

Deno.test("a queue with requests waiting is checked after kafkajs's interval, never below 0", async () => {
  const { q, checks } = queue(-1, [{}]);
  const scheduledAt = Date.now();
  assert.deepEqual(await warningsOf(() => installed().call(q)), []);
  assert.equal(checks.length, 1);
  assert.ok(checks[0] - scheduledAt >= 8, `checked after ${checks[0] - scheduledAt} ms`);
  assert.equal(q.throttleCheckTimeoutId, null);
});

Deno.test("a queue with nothing waiting schedules no check: a completed request checks it", async () => {
  for (const throttledUntil of [-1, Date.now() + 20]) {
    const { q, checks } = queue(throttledUntil);
    assert.deepEqual(await warningsOf(() => installed().call(q)), []);
    assert.equal(q.throttleCheckTimeoutId, null);
    assert.equal(checks.length, 0);
  }
});

Deno.test("kafkajs's own scheduling warns of the negative timeout the fix avoids", async () => {
  const { q, checks } = queue(-1);
  assert.deepEqual(await warningsOf(() => kafkajsOwnScheduling().call(q)), [
    "TimeoutNegativeWarning",
  ]);
  assert.equal(checks.length, 1);
});

Deno.test("a throttled queue is checked when the throttle ends, as kafkajs does", async () => {
  const { q, checks } = queue(Date.now() + 30, [{}]);
  const scheduledAt = Date.now();
  installed().call(q);
  installed().call(q); // already scheduled: no second timer
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(checks.length, 1);
  assert.ok(checks[0] - scheduledAt >= 25, `checked after ${checks[0] - scheduledAt} ms`);
});
