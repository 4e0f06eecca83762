import assert from "node:assert/strict";
import type { Alert } from "../lib/contracts/alerts.ts";
import { alertAnnouncement, alertHeadline, sortedAlerts } from "./alert_words.ts";

const breakdown: Alert = {
  alert_id: "breakdown:RL004",
  kind: "breakdown",
  line: "red",
  direction: "b",
  train_id: "RL004",
  station_id: 40900,
  raised_at: 2_000,
  message: "Red Line train RL004 has broken down at Howard.",
};
const gap: Alert = {
  alert_id: "service_gap:blue:a",
  kind: "service_gap",
  line: "blue",
  direction: "a",
  train_id: null,
  station_id: null,
  raised_at: 1_000,
  message: "No Blue Line trains toward O'Hare for 20 minutes.",
};

Deno.test("alerts read as line and kind in words", () => {
  assert.equal(alertHeadline(breakdown), "Red Line: Train broken down");
  assert.equal(alertHeadline(gap), "Blue Line: Service gap");
  assert.deepEqual(sortedAlerts({ [breakdown.alert_id]: breakdown, [gap.alert_id]: gap }), [
    gap,
    breakdown,
  ]);
});

Deno.test("raised and cleared alerts are announced; an update of one is not", () => {
  const one = { [gap.alert_id]: gap };
  const two = { ...one, [breakdown.alert_id]: breakdown };
  assert.equal(
    alertAnnouncement(one, two),
    "New alert. Red Line: Train broken down. Red Line train RL004 has broken down at Howard.",
  );
  assert.equal(
    alertAnnouncement(two, { [breakdown.alert_id]: breakdown }),
    "Alert cleared. Blue Line: Service gap. No Blue Line trains toward O'Hare for 20 minutes.",
  );
  assert.equal(alertAnnouncement(two, { ...two, [gap.alert_id]: { ...gap, message: "x" } }), "");
});
