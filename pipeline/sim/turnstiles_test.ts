import assert from "node:assert/strict";
import { loadSimData } from "./data.ts";
import { Random } from "./prng.ts";
import { dayType, entries, ENTRY_NOISE, expectedEntries, isHoliday } from "./turnstiles.ts";

const { ridership, hourShares } = loadSimData();
const clarkLake = ridership.get(40380)!;
const utc = (iso: string) => new Date(`${iso}Z`);

Deno.test("day types: weekdays, Saturday, Sunday, and holidays as Sunday", () => {
  assert.equal(dayType(utc("2026-11-27T08:00:00")), "weekday"); // Friday after Thanksgiving
  assert.equal(dayType(utc("2026-11-28T08:00:00")), "saturday");
  assert.equal(dayType(utc("2026-11-29T08:00:00")), "sunday_holiday");
  assert.equal(dayType(utc("2026-11-26T08:00:00")), "sunday_holiday"); // Thanksgiving
  assert.equal(dayType(utc("2026-12-25T08:00:00")), "sunday_holiday"); // Christmas, a Friday
  const holidays2026 = ["01-01", "05-25", "07-04", "09-07", "11-26", "12-25"];
  for (const day of holidays2026) assert.ok(isHoliday(utc(`2026-${day}T00:00:00`)), day);
  for (const day of ["05-18", "09-14", "11-19", "12-24", "07-03", "01-02"]) {
    assert.ok(!isHoliday(utc(`2026-${day}T00:00:00`)), day);
  }
  // Memorial Day is the last Monday of May: 2027-05-31.
  assert.ok(isHoliday(utc("2027-05-31T00:00:00")));
  assert.ok(!isHoliday(utc("2027-05-24T00:00:00")));
});

Deno.test("expected entries: riders × hour share × step minutes / 60, floored", () => {
  // Clark/Lake weekday 22811.6 × 0.125 × 5 / 60 = 237.62…
  assert.equal(expectedEntries(clarkLake.weekday, hourShares[8], 5), 237);
  assert.equal(expectedEntries(clarkLake.weekday, hourShares[8], 60), 2851);
  assert.equal(expectedEntries(0, 0.5, 5), 0);
});

Deno.test("entries use the day type's riders and the hour's share, noise within [-5, 4]", () => {
  const random = new Random(9);
  const cases: [string, number][] = [
    ["2026-11-27T08:00:00", expectedEntries(clarkLake.weekday, 0.125, 5)],
    ["2026-11-28T08:30:00", expectedEntries(clarkLake.saturday, 0.125, 5)],
    ["2026-11-29T03:00:00", expectedEntries(clarkLake.sundayHoliday, 0.01, 5)],
    ["2026-12-25T18:55:00", expectedEntries(clarkLake.sundayHoliday, 0.125, 5)],
  ];
  for (const [iso, expected] of cases) {
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const value = entries(clarkLake, hourShares, utc(iso), 5, random);
      const noise = value - expected;
      assert.ok(noise >= ENTRY_NOISE.min && noise <= ENTRY_NOISE.max, `${iso}: ${value}`);
      seen.add(noise);
    }
    assert.equal(seen.size, 10, `${iso}: all ten noise values appear`);
  }
});

Deno.test("entries never go below 0, and a closed station emits only positive noise", () => {
  const closed = ridership.get(40200)!; // Randolph/Wabash, all zeros
  const random = new Random(2);
  const values = Array.from(
    { length: 1000 },
    () => entries(closed, hourShares, utc("2026-11-27T08:00:00"), 5, random),
  );
  assert.ok(values.every((v) => v >= 0 && v <= ENTRY_NOISE.max));
  assert.ok(values.includes(0) && values.includes(4));
  assert.ok(entries(undefined, hourShares, utc("2026-11-27T08:00:00"), 5, random) <= 4);
});
