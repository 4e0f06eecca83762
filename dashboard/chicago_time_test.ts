import assert from "node:assert/strict";
import {
  chicagoDay,
  chicagoDayOfDate,
  chicagoParts,
  dayTypeOf,
  formatChicagoHour,
  formatChicagoTime,
  hoursOfDay,
} from "./chicago_time.ts";

Deno.test("a winter day in Chicago starts at 06:00 UTC and has 24 hours", () => {
  const day = chicagoDay(Date.UTC(2026, 11, 5, 21, 30));
  assert.equal(day.start, Date.UTC(2026, 11, 5, 6));
  assert.equal(day.end, Date.UTC(2026, 11, 6, 6));
  assert.equal(day.date, "2026-12-05");
  assert.equal(hoursOfDay(day).length, 24);
});

Deno.test("late evening in Chicago is already the next day in UTC", () => {
  const day = chicagoDay(Date.UTC(2026, 11, 6, 3));
  assert.equal(day.date, "2026-12-05");
  assert.equal(formatChicagoTime(Date.UTC(2026, 11, 6, 3, 5)), "9:05 PM");
});

Deno.test("summer time: five hours behind UTC", () => {
  const day = chicagoDay(Date.UTC(2026, 6, 1, 12));
  assert.equal(day.start, Date.UTC(2026, 6, 1, 5));
  assert.equal(formatChicagoHour(Date.UTC(2026, 6, 1, 17)), "12 PM");
  assert.equal(formatChicagoHour(Date.UTC(2026, 6, 1, 5)), "12 AM");
});

Deno.test("the days daylight saving starts and ends have 23 and 25 hours", () => {
  assert.equal(hoursOfDay(chicagoDay(Date.UTC(2026, 2, 8, 18))).length, 23);
  const fallBack = chicagoDay(Date.UTC(2026, 10, 1, 18));
  assert.equal(hoursOfDay(fallBack).length, 25);
  assert.equal(fallBack.start, Date.UTC(2026, 10, 1, 5));
  assert.equal(fallBack.end, Date.UTC(2026, 10, 2, 6));
});

Deno.test("a date names its Chicago day; nonsense is refused", () => {
  assert.equal(chicagoDayOfDate("2026-12-05")?.start, Date.UTC(2026, 11, 5, 6));
  assert.equal(chicagoDayOfDate("2026-02-30"), null);
  assert.equal(chicagoDayOfDate("yesterday"), null);
});

Deno.test("day types follow the Chicago weekday", () => {
  // Saturday 23:30 in Chicago is Sunday in UTC.
  const saturdayNight = Date.UTC(2026, 11, 6, 5, 30);
  assert.equal(chicagoParts(saturdayNight).weekday, 6);
  assert.equal(dayTypeOf(saturdayNight), "saturday");
  assert.equal(dayTypeOf(Date.UTC(2026, 11, 6, 18)), "sunday");
  assert.equal(dayTypeOf(Date.UTC(2026, 11, 7, 18)), "weekday");
});
