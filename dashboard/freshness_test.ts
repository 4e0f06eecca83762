import assert from "node:assert/strict";
import {
  DEFAULT_FRESHNESS,
  freshnessChanges,
  NOT_REPORTING,
  reportedAgo,
  statusWords,
  trainDescription,
  trainFreshness,
  trainStateWords,
} from "./freshness.ts";
import { applyChange, emptyState, type Train } from "./state.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 5, 18, 0);
const POLICY = { staleAfterMs: 15 * MIN, removeAfterMs: 30 * MIN };

function train(
  train_id: string,
  reported_at: number | null,
  status: Train["status"] = "in_service",
) {
  return {
    train_id,
    line: "red",
    station_id: 40900,
    direction: "a",
    status,
    reported_at,
  } satisfies Train;
}

Deno.test("a train is fresh, then stale at staleAfterMs, then gone at removeAfterMs", () => {
  const t = train("101", T0);
  assert.equal(trainFreshness(t, T0, POLICY), "fresh");
  assert.equal(trainFreshness(t, T0 + 15 * MIN - 1, POLICY), "fresh");
  assert.equal(trainFreshness(t, T0 + 15 * MIN, POLICY), "stale");
  assert.equal(trainFreshness(t, T0 + 30 * MIN - 1, POLICY), "stale");
  assert.equal(trainFreshness(t, T0 + 30 * MIN, POLICY), "gone");
  // A report newer than the clock (the clock is the newest report, so only by rounding) is fresh.
  assert.equal(trainFreshness(t, T0 - MIN, POLICY), "fresh");
});

Deno.test("without a report time or a clock, the age is unknown and the train counts as fresh", () => {
  assert.equal(trainFreshness(train("1", null), T0 + 99 * MIN, POLICY), "fresh");
  assert.equal(trainFreshness(train("1", T0), null, POLICY), "fresh");
  assert.equal(reportedAgo(train("1", null), T0), "time unknown");
  assert.equal(reportedAgo(train("1", T0), null), "time unknown");
});

Deno.test("the report's age in a rider's words", () => {
  const ago = (ms: number) => reportedAgo(train("1", T0), T0 + ms);
  assert.equal(ago(0), "just now");
  assert.equal(ago(59_999), "just now");
  assert.equal(ago(MIN), "1 min ago");
  assert.equal(ago(12 * MIN + 30_000), "12 min ago");
  assert.equal(ago(59 * MIN + 59_999), "59 min ago");
  assert.equal(ago(60 * MIN), "over an hour ago");
  assert.equal(ago(26 * 60 * MIN), "over an hour ago");
});

Deno.test("status in words, and Not reporting for a stale train whatever its status", () => {
  assert.equal(statusWords("in_service"), "In service");
  assert.equal(statusWords("broken_down"), "Broken down");
  assert.equal(statusWords("out_of_service"), "Out of service");
  const broken = train("7", T0, "broken_down");
  assert.equal(trainStateWords(broken, T0 + 5 * MIN, POLICY), "Broken down");
  assert.equal(trainStateWords(broken, T0 + 20 * MIN, POLICY), NOT_REPORTING);
  assert.equal(
    trainDescription(broken, T0 + 20 * MIN, POLICY),
    "Train 7, Not reporting, last reported 20 min ago",
  );
  assert.equal(
    trainDescription(train("8", null), T0, POLICY),
    "Train 8, In service, last report time unknown",
  );
});

Deno.test("the default policy: stale after 15 simulated minutes, removed after 30", () => {
  assert.deepEqual(DEFAULT_FRESHNESS, POLICY);
});

Deno.test("freshnessChanges removes gone trains, keeps stale ones, stamps unknown report times", () => {
  const state = emptyState();
  for (
    const t of [train("fresh", T0 + 40 * MIN), train("stale", T0 + 20 * MIN), train("gone", T0)]
  ) {
    applyChange(state, { kind: "train", train: t });
  }
  applyChange(state, { kind: "train", train: train("old-record", null) });
  assert.equal(state.clock, T0 + 40 * MIN);
  const changes = freshnessChanges(state, POLICY);
  assert.deepEqual(changes, [
    { kind: "trainRemoved", train_id: "gone" },
    { kind: "train", train: train("old-record", T0 + 40 * MIN) },
  ]);
  for (const change of changes) applyChange(state, change);
  assert.deepEqual(Object.keys(state.trains).sort(), ["fresh", "old-record", "stale"]);
  // Applied once, nothing is left to do.
  assert.deepEqual(freshnessChanges(state, POLICY), []);
});

Deno.test("before any clock, freshnessChanges changes nothing", () => {
  const state = emptyState();
  applyChange(state, { kind: "train", train: train("old-record", null) });
  assert.equal(state.clock, null);
  assert.deepEqual(freshnessChanges(state, POLICY), []);
});
