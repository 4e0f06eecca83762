/**
 * Times shown to riders are in Chicago time (America/Chicago), whatever the zone of the server
 * or the browser. A Chicago day is 23, 24 or 25 hours long around the daylight-saving changes.
 * Pure.
 */
export const CHICAGO = "America/Chicago";

const HOUR_MS = 3_600_000;

const partsFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: CHICAGO,
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
  weekday: "short",
});

export interface ChicagoParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export function chicagoParts(ms: number): ChicagoParts {
  const parts: Record<string, string> = {};
  for (const p of partsFormat.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

const offsetByHour = new Map<number, number>();

/**
 * How far Chicago's wall clock is ahead of UTC at `ms` (−6 h in winter, −5 h in summer). It is
 * looked up once per UTC hour (daylight saving changes on an hour boundary), so that formatting
 * many times is arithmetic, not a call into Intl per value.
 */
export function chicagoOffsetMs(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const at = hour * HOUR_MS;
    const p = chicagoParts(at);
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at;
    if (offsetByHour.size > 10_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

const offsetAt = chicagoOffsetMs;

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/** Chicago wall time as `YYYY-MM-DDTHH:MM:SS`, without an offset (as Train Tracker sends it). */
export function chicagoLocalIso(ms: number): string {
  const wall = new Date(Math.floor(ms / 1000) * 1000 + chicagoOffsetMs(ms));
  return `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${
    pad(wall.getUTCHours())
  }:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
}

/** The instant of Chicago midnight that starts the given Chicago calendar date. */
function midnightOf(year: number, month: number, day: number): number {
  const wall = Date.UTC(year, month - 1, day);
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  return guess;
}

/** The Chicago calendar day containing `ms`: [start, end) in epoch milliseconds. */
export function chicagoDay(ms: number): { start: number; end: number; date: string } {
  const p = chicagoParts(ms);
  const start = midnightOf(p.year, p.month, p.day);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  const end = midnightOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
  const date = `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
  return { start, end, date };
}

/** The Chicago day of a `YYYY-MM-DD` date, or null when it is not one. */
export function chicagoDayOfDate(
  date: string,
): { start: number; end: number; date: string } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return chicagoDay(midnightOf(year, month, day) + HOUR_MS * 12);
}

/** The start of every hour of the Chicago day [start, end). */
export function hoursOfDay(day: { start: number; end: number }): number[] {
  const hours: number[] = [];
  for (let t = day.start; t < day.end; t += HOUR_MS) hours.push(t);
  return hours;
}

export type DayType = "weekday" | "saturday" | "sunday";

/** Holidays are not known here: a holiday on a weekday counts as a weekday. */
export function dayTypeOf(ms: number): DayType {
  const { weekday } = chicagoParts(ms);
  return weekday === 0 ? "sunday" : weekday === 6 ? "saturday" : "weekday";
}

const timeFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: CHICAGO,
  hour: "numeric",
  minute: "2-digit",
});

/** "4:05 PM" in Chicago. */
export function formatChicagoTime(ms: number): string {
  return timeFormat.format(new Date(ms));
}

/** "5 AM", "12 PM": the Chicago hour that starts at `ms`. */
export function formatChicagoHour(ms: number): string {
  const hour = chicagoParts(ms).hour;
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  return `${twelve} ${hour < 12 ? "AM" : "PM"}`;
}

const dateFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: CHICAGO,
  weekday: "long",
  month: "long",
  day: "numeric",
  year: "numeric",
});

/** "Saturday, December 5, 2026" in Chicago. */
export function formatChicagoDate(ms: number): string {
  return dateFormat.format(new Date(ms));
}

const dateTimeFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: CHICAGO,
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});

/** "Dec 5, 4:05 PM CT": Chicago time, standard or daylight as the date has it. */
export function formatChicagoDateTime(ms: number): string {
  return `${dateTimeFormat.format(new Date(ms))} CT`;
}
