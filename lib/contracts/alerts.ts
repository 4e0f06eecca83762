/**
 * org.chicago.cta.alerts: service alerts raised by the predictions stage. Key `{"alert_id"}`;
 * compacted. A record raises or updates an alert; a tombstone clears it.
 */
import { jsonPart, type JsonTopicContract } from "./contract.ts";
import { type Direction, isDirection, isLine, type Line } from "./enums.ts";
import { type Fields, integer, object, oneOf, RecordShapeError, text } from "./shape.ts";

export type AlertKind = "breakdown" | "service_gap";
export const ALERT_KINDS: readonly AlertKind[] = ["breakdown", "service_gap"];
const isAlertKind = (value: unknown): value is AlertKind =>
  typeof value === "string" && (ALERT_KINDS as readonly string[]).includes(value);

export interface AlertKey {
  /** `breakdown:<train_id>` or `service_gap:<line>:<direction>`. */
  alert_id: string;
}

export interface Alert extends AlertKey {
  kind: AlertKind;
  line: Line;
  /** The direction affected; null when both are. */
  direction: Direction | null;
  train_id: string | null;
  station_id: number | null;
  /** Event time when the cause began. */
  raised_at: number;
  /** One sentence for riders. */
  message: string;
}

export function breakdownAlertId(trainId: string): string {
  return `breakdown:${trainId}`;
}

export function serviceGapAlertId(line: Line, direction: Direction): string {
  return `service_gap:${line}:${direction}`;
}

function nullable<T>(fields: Fields, name: string, read: (fields: Fields, name: string) => T) {
  return fields[name] === null || fields[name] === undefined ? null : read(fields, name);
}

function checkKey(json: unknown): AlertKey {
  const id = text(object(json, "alert key"), "alert_id");
  if (id === "") throw new RecordShapeError("alert_id is empty");
  return { alert_id: id };
}

function checkValue(json: unknown): Alert {
  const v = object(json, "alert");
  return {
    ...checkKey(v),
    kind: oneOf(v, "kind", isAlertKind),
    line: oneOf(v, "line", isLine),
    direction: nullable(v, "direction", (f, n) => oneOf(f, n, isDirection)),
    train_id: nullable(v, "train_id", text),
    station_id: nullable(v, "station_id", integer),
    raised_at: integer(v, "raised_at"),
    message: text(v, "message"),
  };
}

export const ALERTS: JsonTopicContract<AlertKey, Alert> = {
  name: "org.chicago.cta.alerts",
  compacted: true,
  key: jsonPart((k) => JSON.stringify({ alert_id: k.alert_id }), checkKey),
  value: jsonPart((v) => JSON.stringify(v), checkValue),
};
