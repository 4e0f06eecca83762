import assert from "node:assert/strict";
import {
  chicagoDay,
  chicagoDayOfDate,
  chicagoLocalIso,
  chicagoOffsetMs,
  chicagoParts,
  dayTypeOf,
  formatChicagoDateTime,
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

Deno.test("reading times are in Chicago time, standard in winter and daylight in summer", () => {
  // 15:05 UTC on a December day is 9:05 AM CST (UTC-6).
  assert.equal(formatChicagoDateTime(Date.UTC(2026, 11, 5, 15, 5)), "Dec 5, 9:05 AM CT");
  // 15:05 UTC in July is 10:05 AM CDT (UTC-5).
  assert.equal(formatChicagoDateTime(Date.UTC(2026, 6, 1, 15, 5)), "Jul 1, 10:05 AM CT");
  // 03:30 UTC on Dec 6 is still the evening of Dec 5 in Chicago.
  assert.equal(formatChicagoDateTime(Date.UTC(2026, 11, 6, 3, 30)), "Dec 5, 9:30 PM CT");
});

Deno.test("winter times are UTC−6 and summer times UTC−5, without an offset in the text", () => {
  assert.equal(chicagoLocalIso(Date.UTC(2026, 0, 5, 14, 3, 9)), "2026-01-05T08:03:09");
  assert.equal(chicagoLocalIso(Date.UTC(2026, 6, 4, 0, 0, 0)), "2026-07-03T19:00:00");
});

Deno.test("milliseconds are truncated, not rounded", () => {
  assert.equal(chicagoLocalIso(Date.UTC(2026, 0, 5, 14, 3, 9, 999)), "2026-01-05T08:03:09");
});

Deno.test("the offset changes at the daylight-saving boundaries", () => {
  // 2026-03-08 02:00 CST becomes 03:00 CDT, at 08:00 UTC.
  assert.equal(chicagoLocalIso(Date.UTC(2026, 2, 8, 7, 59, 59)), "2026-03-08T01:59:59");
  assert.equal(chicagoLocalIso(Date.UTC(2026, 2, 8, 8, 0, 0)), "2026-03-08T03:00:00");
  // 2026-11-01 02:00 CDT becomes 01:00 CST, at 07:00 UTC.
  assert.equal(chicagoLocalIso(Date.UTC(2026, 10, 1, 6, 59, 59)), "2026-11-01T01:59:59");
  assert.equal(chicagoLocalIso(Date.UTC(2026, 10, 1, 7, 0, 0)), "2026-11-01T01:00:00");
  assert.equal(chicagoOffsetMs(Date.UTC(2026, 10, 1, 7)), -6 * 3_600_000);
});

Deno.test("the same text as Intl gives for any hour of a year", () => {
  const intl = new Intl.DateTimeFormat("sv-SE", {
    timeZone: "America/Chicago",
    dateStyle: "short",
    timeStyle: "medium",
  });
  for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 3_600_000 + 17_000) {
    assert.equal(chicagoLocalIso(ms), intl.format(ms).replace(" ", "T"));
  }
});
