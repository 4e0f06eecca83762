/**
 * The alerts the model's state calls for, free of I/O. The stage compares them with what the
 * alerts topic holds: a new or changed alert is written, one no longer called for is cleared
 * with a tombstone. Ids are fixed by the cause (`breakdown:<train>`, `service_gap:<line>:<dir>`),
 * so raising the same alert again writes the same key and compaction keeps one record.
 *
 * - A break-down is raised while a train's latest report is broken_down, from the first report
 *   of that break-down; it clears when the train reports anything else or goes stale.
 * - A service gap is raised when no in-service train has reported an arrival in a direction of
 *   a line for `gapAfterMs` of event time (from the first report seen on the line, if none ever
 *   did); it clears when one does.
 */
import { type Alert, breakdownAlertId, serviceGapAlertId } from "../../lib/contracts/alerts.ts";
import type { Line } from "../../lib/contracts/enums.ts";
import type { PredictionModel } from "./model.ts";

export interface AlertOptions {
  gapAfterMs: number;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = { gapAfterMs: 20 * 60_000 };

const LINE_NAMES: Record<Line, string> = {
  red: "Red Line",
  blue: "Blue Line",
  green: "Green Line",
};

/** `HH:MM UTC` on the event-time clock. */
function clock(time: number): string {
  return `${new Date(time).toISOString().slice(11, 16)} UTC`;
}

/** The alerts in force, by alert id. */
export function desiredAlerts(
  model: PredictionModel,
  options: AlertOptions = DEFAULT_ALERT_OPTIONS,
): Map<string, Alert> {
  const alerts = new Map<string, Alert>();
  for (const { train_id, latest, stale, brokenSince } of model.trains()) {
    if (stale || latest.status !== "broken_down" || brokenSince === null) continue;
    const where = model.stationName(latest.line, latest.station_id) ??
      `station ${latest.station_id}`;
    const towards = model.terminal(latest.line, latest.direction)?.station_name;
    const alert_id = breakdownAlertId(train_id);
    alerts.set(alert_id, {
      alert_id,
      kind: "breakdown",
      line: latest.line,
      direction: latest.direction,
      train_id,
      station_id: latest.station_id,
      raised_at: brokenSince,
      message: `${LINE_NAMES[latest.line]} train ${train_id} has broken down at ${where}` +
        `${towards ? ` (towards ${towards})` : ""} since ${clock(brokenSince)}; expect delays.`,
    });
  }
  const now = model.now;
  if (now === null) return alerts;
  for (const { line, direction, lastServedAt, watchedSince } of model.service()) {
    const since = lastServedAt ?? watchedSince;
    if (now - since < options.gapAfterMs) continue;
    const towards = model.terminal(line, direction)?.station_name;
    const alert_id = serviceGapAlertId(line, direction);
    alerts.set(alert_id, {
      alert_id,
      kind: "service_gap",
      line,
      direction,
      train_id: null,
      station_id: null,
      raised_at: since,
      message: `No ${LINE_NAMES[line]} train ${towards ? `towards ${towards} ` : ""}` +
        `since ${clock(since)}.`,
    });
  }
  return alerts;
}
