import assert from "node:assert/strict";
import { Random } from "../pipeline/sim/prng.ts";
import {
  checkTable,
  exitCode,
  faultTable,
  killSchedule,
  lagOverTime,
  lagSparkline,
  stageRole,
} from "./report.ts";
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

Deno.test("consumer lag over time: a line per stage, scaled to its peak, gaps where it was down", () => {
  assert.equal(lagSparkline([0, 10, 20, 40, null, 40, 0], 10), "▁▃▅█·█▁");
  // Longer than the width: each character is the peak of its slice.
  assert.equal(lagSparkline([0, 0, 5, 100, 0, 0, null, null], 4), "▁█▁·");
  assert.equal(lagSparkline([0, 0, 0], 10), "▁▁▁");
  assert.equal(stageRole("summary-a-3"), "summary-a");
  assert.equal(stageRole("dashboard-2"), "dashboard");
  assert.equal(stageRole("summary-b"), "summary-b");

  const table = lagOverTime([
    { atMs: 3_000, lag: { "summary-a": 0, dashboard: 0 } },
    { atMs: 6_000, lag: { "summary-a": 1500, dashboard: 12, stations: null } },
    { atMs: 9_000, lag: { "summary-a": null, dashboard: 3 } },
    { atMs: 12_000, lag: { "summary-a": 40, dashboard: 0 } },
  ]);
  const lines = table.split("\n");
  assert.match(lines[0], /^stage\s+peak\s+at\s+last\s+over time \(\+3\.0 s … \+12\.0 s\)$/);
  assert.match(lines[2], /^dashboard\s+12\s+\+6\.0 s\s+0\s+▁█▃▁$/);
  assert.match(lines[3], /^summary-a\s+1500\s+\+6\.0 s\s+40\s+▁█·▂$/);
  assert.equal(lines.length, 4, "stations never reported a lag: no row");
  assert.equal(lagOverTime([]), "(no samples)");
});
