import assert from "node:assert/strict";
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import type { Direction, TrainStatus } from "../../lib/contracts/enums.ts";
import { desiredAlerts } from "./alerts.ts";
import { PredictionModel } from "./model.ts";

const MIN = 60_000;
const T0 = Date.parse("2026-11-27T00:00:00Z");

function report(
  train_id: string,
  station_id: number,
  direction: Direction,
  minute: number,
  status: TrainStatus = "in_service",
  prev: number | null = null,
): ArrivalValue {
  return {
    station_id,
    train_id,
    direction,
    line: "blue",
    train_status: status,
    prev_station_id: prev,
    prev_direction: prev === null ? null : direction,
    event_time: T0 + minute * MIN,
  };
}

function model(): PredictionModel {
  const m = new PredictionModel({ staleAfterMs: 15 * MIN, removeAfterMs: 30 * MIN });
  m.setLine("blue", [
    { station_id: 1, station_name: "O'Hare" },
    { station_id: 2, station_name: "Rosemont" },
    { station_id: 3, station_name: "Forest Park" },
  ]);
  return m;
}

/** Keeps both directions served, so that only the alerts under test are raised. */
function serveBoth(m: PredictionModel, minute: number) {
  m.observe(report("BL008", 2, "b", minute));
  m.observe(report("BL009", 2, "a", minute));
}

Deno.test("a break-down raises an alert from its first broken report, which clears when the train runs again", () => {
  const m = model();
  serveBoth(m, 0);
  m.observe(report("BL002", 2, "b", 0));
  assert.equal(desiredAlerts(m).size, 0);
  m.observe(report("BL002", 2, "b", 5, "broken_down", 2));
  m.observe(report("BL002", 2, "b", 10, "broken_down", 2));
  serveBoth(m, 10);
  const alerts = desiredAlerts(m);
  assert.deepEqual([...alerts.keys()], ["breakdown:BL002"]);
  const alert = alerts.get("breakdown:BL002")!;
  assert.deepEqual(
    [alert.kind, alert.line, alert.direction, alert.train_id, alert.station_id, alert.raised_at],
    ["breakdown", "blue", "b", "BL002", 2, T0 + 5 * MIN],
  );
  assert.match(alert.message, /Blue Line train BL002 has broken down at Rosemont/);
  assert.match(alert.message, /towards Forest Park/);
  m.observe(report("BL002", 3, "a", 15, "in_service", 2));
  serveBoth(m, 15);
  assert.equal(desiredAlerts(m).size, 0);
});

Deno.test("a broken-down train that goes stale clears its alert", () => {
  const m = model();
  m.observe(report("BL002", 2, "b", 0, "broken_down"));
  serveBoth(m, 10);
  assert.ok(desiredAlerts(m).has("breakdown:BL002"));
  serveBoth(m, 15);
  assert.ok(!desiredAlerts(m).has("breakdown:BL002"));
});

Deno.test("no in-service train in a direction for gapAfterMs raises a service gap, cleared by the next one", () => {
  const m = model();
  const gap = { gapAfterMs: 20 * MIN };
  m.observe(report("BL000", 1, "b", 0));
  m.observe(report("BL001", 3, "a", 0));
  for (let minute = 5; minute <= 15; minute += 5) m.observe(report("BL000", 2, "b", minute));
  assert.equal(desiredAlerts(m, gap).size, 0, "15 minutes without direction a");
  m.observe(report("BL000", 2, "b", 20));
  const alerts = desiredAlerts(m, gap);
  assert.deepEqual([...alerts.keys()], ["service_gap:blue:a"]);
  const alert = alerts.get("service_gap:blue:a")!;
  assert.deepEqual(
    [alert.kind, alert.direction, alert.train_id, alert.station_id, alert.raised_at],
    ["service_gap", "a", null, null, T0],
  );
  assert.equal(alert.message, "No Blue Line train towards O'Hare since 00:00 UTC.");
  // A train that is not in service does not serve the direction.
  m.observe(report("BL001", 3, "a", 25, "out_of_service"));
  assert.ok(desiredAlerts(m, gap).has("service_gap:blue:a"));
  m.observe(report("BL003", 2, "a", 25));
  assert.equal(desiredAlerts(m, gap).size, 0);
});

Deno.test("a direction never served counts from the first report seen on the line", () => {
  const m = model();
  m.observe(report("BL000", 1, "b", 0));
  m.observe(report("BL000", 2, "b", 20, "in_service", 1));
  const alerts = desiredAlerts(m, { gapAfterMs: 20 * MIN });
  assert.equal(alerts.get("service_gap:blue:a")?.raised_at, T0);
  assert.ok(!alerts.has("service_gap:blue:b"));
});

Deno.test("the same cause gives the same alert, key and value, every time", () => {
  const m = model();
  serveBoth(m, 0);
  m.observe(report("BL002", 2, "b", 0, "broken_down"));
  const first = desiredAlerts(m);
  m.observe(report("BL002", 2, "b", 5, "broken_down", 2));
  serveBoth(m, 5);
  assert.deepEqual(desiredAlerts(m), first);
});
