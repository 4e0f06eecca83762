import assert from "node:assert/strict";
import { formatReadingTime } from "./format.ts";

Deno.test("reading times are in Chicago time, standard in winter and daylight in summer", () => {
  // 15:05 UTC on a December day is 9:05 AM CST (UTC-6).
  assert.equal(formatReadingTime(Date.UTC(2026, 11, 5, 15, 5)), "Dec 5, 9:05 AM CT");
  // 15:05 UTC in July is 10:05 AM CDT (UTC-5).
  assert.equal(formatReadingTime(Date.UTC(2026, 6, 1, 15, 5)), "Jul 1, 10:05 AM CT");
  // 03:30 UTC on Dec 6 is still the evening of Dec 5 in Chicago.
  assert.equal(formatReadingTime(Date.UTC(2026, 11, 6, 3, 30)), "Dec 5, 9:30 PM CT");
});
