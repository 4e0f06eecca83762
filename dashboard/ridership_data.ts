/**
 * Reads the ridership facts of data/ (see data/README.md): a day's share of riders per hour,
 * each station's average daily riders per day type, and the CTA's descriptive station names.
 */
import { parse } from "csv-parse/sync";
import type { DailyRiders } from "./ridership_chart.ts";

type Row = Record<string, string>;

function rows(text: string): Row[] {
  return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
}

function number(row: Row, column: string, file: string): number {
  const value = Number(row[column]);
  if (row[column] === undefined || row[column] === "" || !Number.isFinite(value)) {
    throw new Error(`${file}: ${column} is not a number in ${JSON.stringify(row)}`);
  }
  return value;
}

/**
 * The share of a day's riders per hour 0–23. Rows for other hours (the file has an "hour 24")
 * are not hours of a day and are left out.
 */
export function parseRidershipCurve(text: string): number[] {
  const curve: (number | undefined)[] = new Array(24).fill(undefined);
  for (const row of rows(text)) {
    const hour = number(row, "hour", "ridership_curve.csv");
    if (Number.isInteger(hour) && hour >= 0 && hour < 24) {
      curve[hour] = number(row, "ridership_ratio", "ridership_curve.csv");
    }
  }
  const missing = curve.flatMap((v, hour) => v === undefined ? [hour] : []);
  if (missing.length) throw new Error(`ridership_curve.csv: no share for hours ${missing}`);
  return curve as number[];
}

export function parseDailyRiders(text: string): Map<number, DailyRiders> {
  const byStation = new Map<number, DailyRiders>();
  for (const row of rows(text)) {
    byStation.set(number(row, "station_id", "ridership.csv"), {
      weekday: number(row, "avg_weekday_rides", "ridership.csv"),
      saturday: number(row, "avg_saturday_rides", "ridership.csv"),
      sunday: number(row, "avg_sunday-holiday_rides", "ridership.csv"),
    });
  }
  return byStation;
}

/** station_id → the CTA's descriptive name, e.g. "Harlem (Blue Line - O'Hare Branch)". */
export function parseDescriptiveNames(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const row of rows(text)) {
    names.set(number(row, "station_id", "stations.csv"), row.station_descriptive_name);
  }
  return names;
}

export interface RidershipData {
  curve: number[];
  dailyRiders: Map<number, DailyRiders>;
  descriptiveNames: Map<number, string>;
}

export function readRidershipData(dataDir: URL): RidershipData {
  const read = (name: string) => Deno.readTextFileSync(new URL(name, dataDir));
  return {
    curve: parseRidershipCurve(read("ridership_curve.csv")),
    dailyRiders: parseDailyRiders(read("ridership.csv")),
    descriptiveNames: parseDescriptiveNames(read("stations.csv")),
  };
}
