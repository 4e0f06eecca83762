/** Turnstile entries per station and step, by day type and hour (all in UTC). */
import type { Ridership } from "./data.ts";
import type { Random } from "./prng.ts";

export type DayType = "weekday" | "saturday" | "sunday_holiday";

/** Integer noise added to each station's entries per step, both bounds included. */
export const ENTRY_NOISE = { min: -5, max: 4 } as const;

/** The nth (1-based) given weekday of a month, or the last one when n is -1. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return 1 + ((weekday - first + 7) % 7) + 7 * (n - 1);
  }
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return lastDay.getUTCDate() - ((lastDay.getUTCDay() - weekday + 7) % 7);
}

/**
 * The holidays on which the CTA runs its Sunday service: New Year's Day, Memorial Day, July 4th,
 * Labor Day, Thanksgiving and Christmas, on their calendar dates.
 */
export function isHoliday(date: Date): boolean {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  switch (month) {
    case 0:
      return day === 1;
    case 4:
      return day === nthWeekday(year, 4, 1, -1);
    case 6:
      return day === 4;
    case 8:
      return day === nthWeekday(year, 8, 1, 1);
    case 10:
      return day === nthWeekday(year, 10, 4, 4);
    case 11:
      return day === 25;
    default:
      return false;
  }
}

export function dayType(date: Date): DayType {
  if (isHoliday(date)) return "sunday_holiday";
  const weekday = date.getUTCDay();
  if (weekday === 0) return "sunday_holiday";
  if (weekday === 6) return "saturday";
  return "weekday";
}

export function ridersOn(ridership: Ridership | undefined, type: DayType): number {
  if (!ridership) return 0;
  switch (type) {
    case "weekday":
      return ridership.weekday;
    case "saturday":
      return ridership.saturday;
    case "sunday_holiday":
      return ridership.sundayHoliday;
  }
}

/** `floor(riders × hour share × step minutes / 60)`, before noise. */
export function expectedEntries(riders: number, hourShare: number, stepMinutes: number): number {
  return Math.floor(riders * hourShare * stepMinutes / 60);
}

/** A station's entries in the step starting at `time`: the expected count plus noise, at least 0. */
export function entries(
  ridership: Ridership | undefined,
  hourShares: readonly number[],
  time: Date,
  stepMinutes: number,
  random: Random,
): number {
  const riders = ridersOn(ridership, dayType(time));
  const expected = expectedEntries(riders, hourShares[time.getUTCHours()], stepMinutes);
  return Math.max(0, expected + random.int(ENTRY_NOISE.min, ENTRY_NOISE.max));
}
