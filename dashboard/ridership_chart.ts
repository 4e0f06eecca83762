/**
 * The station page's chart: entries per hour of one Chicago day against the typical day, and the
 * chart's geometry as plain data for an inline SVG. The typical day of a station is its average
 * daily riders for the day type (weekday, Saturday, Sunday) times each hour's share of a day
 * (data/ridership_curve.csv). Pure; the browser renders the same geometry.
 */
import { chicagoParts, type DayType, formatChicagoHour } from "./chicago_time.ts";

export type DailyRiders = Record<DayType, number>;

export type { HourlyEntries } from "../pipeline/history/queries.ts";
import type { HourlyEntries } from "../pipeline/history/queries.ts";

export interface HourRow {
  /** Start of the hour, epoch ms. */
  hour: number;
  /** "7 AM" in Chicago. */
  label: string;
  /** Entries counted in the hour; null for hours that have not begun on the clock. */
  entries: number | null;
  /** Entries in that hour of a typical day, rounded; null when the station has no ridership row. */
  typical: number | null;
}

const HOUR_MS = 3_600_000;

/**
 * One row per hour of the day. `hourStarts` are the day's hours (23 to 25 of them); an hour that
 * has begun by `clock` and has no history row had no entries.
 */
export function comparisonRows(
  hourStarts: readonly number[],
  history: readonly HourlyEntries[],
  dailyRiders: number | null,
  curve: readonly number[],
  clock: number,
): HourRow[] {
  const byHour = new Map<number, number>();
  for (const h of history) {
    const start = Math.floor(h.hour / HOUR_MS) * HOUR_MS;
    byHour.set(start, (byHour.get(start) ?? 0) + h.entries);
  }
  return hourStarts.map((hour) => ({
    hour,
    label: formatChicagoHour(hour),
    entries: hour <= clock ? byHour.get(hour) ?? 0 : null,
    typical: dailyRiders === null
      ? null
      : Math.round(dailyRiders * (curve[chicagoParts(hour).hour] ?? 0)),
  }));
}

export function totalEntries(rows: readonly HourRow[]): number {
  return rows.reduce((sum, r) => sum + (r.entries ?? 0), 0);
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** Where the plot's x axis starts and ends. */
  plotLeft: number;
  plotRight: number;
  bars: { x: number; y: number; width: number; height: number; row: HourRow }[];
  /** SVG `points` of the typical day's line through the middle of each hour, or "" without one. */
  typicalPoints: string;
  yTicks: { y: number; label: string }[];
  xLabels: { x: number; label: string }[];
  /** The value at the top of the axis. */
  top: number;
}

/** In the SVG's units; the labels are sized to stay legible when a phone scales it to half. */
export const CHART_SIZE = { width: 720, height: 300, left: 72, right: 12, top: 14, bottom: 36 };

/** A round axis top at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceTop(max: number): number {
  if (max <= 0) return 10;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

const fixed = (n: number) => Math.round(n * 10) / 10;

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** "750", "1.5K": short enough to stay inside the axis when a phone scales the chart down. */
export function tickLabel(value: number): string {
  return value < 1000 ? String(value) : compact.format(value);
}

export function chartGeometry(rows: readonly HourRow[], size = CHART_SIZE): ChartGeometry {
  const plotWidth = size.width - size.left - size.right;
  const plotHeight = size.height - size.top - size.bottom;
  const max = Math.max(0, ...rows.map((r) => Math.max(r.entries ?? 0, r.typical ?? 0)));
  const top = niceTop(max);
  const slot = rows.length ? plotWidth / rows.length : plotWidth;
  const y = (value: number) => fixed(size.top + plotHeight - (value / top) * plotHeight);
  const bars = rows.flatMap((row, i) => {
    if (row.entries === null) return [];
    const barTop = y(row.entries);
    return [{
      x: fixed(size.left + i * slot + slot * 0.15),
      y: barTop,
      width: fixed(slot * 0.7),
      height: fixed(size.top + plotHeight - barTop),
      row,
    }];
  });
  const typicalPoints = rows.every((r) => r.typical !== null) && rows.length > 0
    ? rows.map((r, i) => `${fixed(size.left + (i + 0.5) * slot)},${y(r.typical!)}`).join(" ")
    : "";
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({
    y: y(top * f),
    label: tickLabel(Math.round(top * f)),
  }));
  const xLabels = rows.flatMap((row, i) =>
    i % 3 === 0 ? [{ x: fixed(size.left + (i + 0.5) * slot), label: row.label }] : []
  );
  return {
    width: size.width,
    height: size.height,
    plotLeft: size.left,
    plotRight: size.width - size.right,
    bars,
    typicalPoints,
    yTicks,
    xLabels,
    top,
  };
}

/** What the station page's chart shows, as the server sends it. */
export interface StationChart {
  station_id: number;
  /** The Chicago date, YYYY-MM-DD, and in words. */
  date: string;
  dateLabel: string;
  dayType: DayType;
  /** Whether the entries came from the history tables; without them only the typical day shows. */
  history: "ok" | "unavailable";
  rows: HourRow[];
  /** Entries so far that day, from the history; null when it is unavailable. */
  total: number | null;
  /** A typical day's entries in all; null when the station has no ridership row. */
  typicalTotal: number | null;
}
