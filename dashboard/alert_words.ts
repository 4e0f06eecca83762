/** Alerts in words for riders, and what changed between two sets of them. Pure. */
import type { Alert, AlertKind } from "../lib/contracts/alerts.ts";
import { LINE_LABELS } from "./station_view.ts";

export const ALERT_KIND_WORDS: Record<AlertKind, string> = {
  breakdown: "Train broken down",
  service_gap: "Service gap",
};

/** "Red Line: Train broken down" */
export function alertHeadline(alert: Alert): string {
  return `${LINE_LABELS[alert.line]}: ${ALERT_KIND_WORDS[alert.kind]}`;
}

/** Oldest first, then by id, so the banner does not reorder as alerts are updated. */
export function sortedAlerts(alerts: Record<string, Alert>): Alert[] {
  return Object.values(alerts).sort((x, y) =>
    x.raised_at - y.raised_at || x.alert_id.localeCompare(y.alert_id)
  );
}

/** What a screen reader is told when the active alerts change; "" when nothing was raised or cleared. */
export function alertAnnouncement(
  before: Record<string, Alert>,
  after: Record<string, Alert>,
): string {
  const raised = sortedAlerts(after).filter((a) => !(a.alert_id in before));
  const cleared = sortedAlerts(before).filter((a) => !(a.alert_id in after));
  return [
    ...raised.map((a) => `New alert. ${alertHeadline(a)}. ${a.message}`),
    ...cleared.map((a) => `Alert cleared. ${alertHeadline(a)}. ${a.message}`),
  ].join(" ");
}
