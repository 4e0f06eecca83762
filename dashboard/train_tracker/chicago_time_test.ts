import assert from "node:assert/strict";
import { chicagoOffsetMs, chicagoTime } from "./chicago_time.ts";

Deno.test("winter times are UTC−6 and summer times UTC−5, without an offset in the text", () => {
  assert.equal(chicagoTime(Date.UTC(2026, 0, 5, 14, 3, 9)), "2026-01-05T08:03:09");
  assert.equal(chicagoTime(Date.UTC(2026, 6, 4, 0, 0, 0)), "2026-07-03T19:00:00");
});

Deno.test("milliseconds are truncated, not rounded", () => {
  assert.equal(chicagoTime(Date.UTC(2026, 0, 5, 14, 3, 9, 999)), "2026-01-05T08:03:09");
});

Deno.test("the offset changes at the daylight-saving boundaries", () => {
  // 2026-03-08 02:00 CST becomes 03:00 CDT, at 08:00 UTC.
  assert.equal(chicagoTime(Date.UTC(2026, 2, 8, 7, 59, 59)), "2026-03-08T01:59:59");
  assert.equal(chicagoTime(Date.UTC(2026, 2, 8, 8, 0, 0)), "2026-03-08T03:00:00");
  // 2026-11-01 02:00 CDT becomes 01:00 CST, at 07:00 UTC.
  assert.equal(chicagoTime(Date.UTC(2026, 10, 1, 6, 59, 59)), "2026-11-01T01:59:59");
  assert.equal(chicagoTime(Date.UTC(2026, 10, 1, 7, 0, 0)), "2026-11-01T01:00:00");
  assert.equal(chicagoOffsetMs(Date.UTC(2026, 10, 1, 7)), -6 * 3_600_000);
});

Deno.test("the same text as Intl gives for any hour of a year", () => {
  const intl = new Intl.DateTimeFormat("sv-SE", {
    timeZone: "America/Chicago",
    dateStyle: "short",
    timeStyle: "medium",
  });
  for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 3_600_000 + 17_000) {
    assert.equal(chicagoTime(ms), intl.format(ms).replace(" ", "T"));
  }
});
