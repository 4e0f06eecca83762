import assert from "node:assert/strict";
import { countOf, formatAge, formatCount } from "./format.ts";

Deno.test("a count of one takes the singular, any other the plural, grouped by thousands", () => {
  assert.equal(countOf(1, "train"), "1 train");
  assert.equal(countOf(0, "train"), "0 trains");
  assert.equal(countOf(2, "station"), "2 stations");
  assert.equal(countOf(1, "entry", "entries"), "1 entry");
  assert.equal(countOf(9_876, "entry", "entries"), "9,876 entries");
  assert.equal(formatCount(1_234_567), "1,234,567");
});

Deno.test("an age reads in the largest whole unit, and nothing yet reads as waiting", () => {
  assert.equal(formatAge(null, 0), "waiting for data");
  assert.equal(formatAge(10_000, 15_500), "updated 5 s ago");
  assert.equal(formatAge(0, 3 * 60_000), "updated 3 min ago");
  assert.equal(formatAge(0, 5 * 3_600_000), "updated 5 h ago");
  assert.equal(formatAge(0, 72 * 3_600_000), "updated 3 days ago");
});
