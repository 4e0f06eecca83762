import assert from "node:assert/strict";
import { Random } from "../pipeline/sim/prng.ts";
import { checkTable, exitCode, faultTable, killSchedule } from "./report.ts";
import { isolatedStackEnv } from "./stack_env.ts";

Deno.test("the kill schedule is seeded, sorted, inside the window and spaced", () => {
  const a = killSchedule(() => new Random(7).next(), 10, 2000, 60_000, 2000);
  const random = new Random(7);
  const b = killSchedule(() => random.next(), 10, 2000, 60_000, 2000);
  const again = new Random(7);
  assert.deepEqual(b, killSchedule(() => again.next(), 10, 2000, 60_000, 2000));
  assert.equal(a.length, 10);
  for (const times of [a, b]) {
    assert.ok(times[0] >= 2000 && times[9] < 60_000);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 2000);
  }
  assert.throws(() => killSchedule(Math.random, 10, 0, 5000, 2000), RangeError);
});

Deno.test("the exit code is 0 only when every check passed", () => {
  const pass = { name: "a", ok: true, detail: "" };
  const fail = { name: "b", ok: false, detail: "x" };
  assert.equal(exitCode([pass, pass]), 0);
  assert.equal(exitCode([pass, fail]), 1);
  assert.equal(exitCode([]), 1);
  assert.match(checkTable([pass, fail]), /b\s+FAIL\s+x/);
});

Deno.test("the fault table lists faults in time order with recovery times", () => {
  const table = faultTable([
    { fault: "later", atMs: 5000, verified: "v2" },
    { fault: "first", atMs: 1200, recoveredMs: 3400, verified: "v1" },
  ]);
  const lines = table.split("\n");
  assert.match(lines[2], /^1\s+\+1\.2 s\s+first\s+3\.4 s\s+v1$/);
  assert.match(lines[3], /^2\s+\+5\.0 s\s+later\s+-\s+v2$/);
});

Deno.test("the chaos stack is isolated: its own directory and shifted ports", () => {
  const env = isolatedStackEnv({ HOME: "/h" }, 3, "/repo");
  assert.equal(env.STACK_DIR, "/repo/.stack/chaos-3");
  assert.equal(env.KAFKA_PORT, "9792");
  assert.equal(env.PGPORT, "6132");
  assert.equal(env.KAFKA_BROKERS, "3");
  const kept = isolatedStackEnv({ STACK_DIR: "/s", KAFKA_PORT: "9500" }, 1, "/repo");
  assert.equal(kept.STACK_DIR, "/s");
  assert.equal(kept.KAFKA_PORT, "9500");
  assert.equal(kept.CONNECT_PORT, "8683");
});
