import assert from "node:assert/strict";
import { Random } from "./prng.ts";
import { WEATHER_STATUSES } from "../../lib/contracts/enums.ts";
import { HOUR_MS, hoursBetween, seasonOf, Weather } from "./weather.ts";

const utc = (iso: string) => Date.parse(`${iso}Z`);

Deno.test("seasons: November to March winter (December too), June to August summer", () => {
  const months = Array.from({ length: 12 }, (_, m) => seasonOf(new Date(Date.UTC(2026, m, 15))));
  assert.deepEqual(months, [
    "winter",
    "winter",
    "winter",
    "mild",
    "mild",
    "summer",
    "summer",
    "summer",
    "mild",
    "mild",
    "winter",
    "winter",
  ]);
});

Deno.test("the first reading has the season's start temperature", () => {
  const first = (iso: string) => new Weather(new Random(1)).readingAt(utc(iso)).temperature;
  assert.equal(first("2026-12-01T00:00:00"), 40);
  assert.equal(first("2026-07-01T00:00:00"), 85);
  assert.equal(first("2026-10-01T00:00:00"), 70);
});

Deno.test("hourly steps stay within ±10 and drift by season; statuses are the schema's", () => {
  const drift = (iso: string) => {
    const weather = new Weather(new Random(4));
    const start = utc(iso);
    let previous = weather.readingAt(start);
    let total = 0;
    const statuses = new Set<string>();
    for (let h = 1; h <= 3000; h++) {
      const reading = weather.readingAt(start + h * HOUR_MS);
      const step = reading.temperature - previous.temperature;
      assert.ok(step >= -10 && step <= 10, `step ${step}`);
      assert.equal(reading.timestamp, start + h * HOUR_MS);
      total += step;
      statuses.add(reading.status);
      previous = reading;
    }
    assert.deepEqual([...statuses].sort(), [...WEATHER_STATUSES].sort());
    return total / 3000;
  };
  // The mean of triangular(-10, 10, m) is m / 3.
  assert.ok(Math.abs(drift("2026-12-01T00:00:00") + 1 / 3) < 0.15);
  assert.ok(Math.abs(drift("2026-06-01T00:00:00") - 1 / 3) < 0.15);
});

Deno.test("readings fall on the top of each hour crossed by a step", () => {
  const midnight = utc("2026-11-27T00:00:00");
  assert.deepEqual(hoursBetween(midnight, midnight + 5 * 60_000), [midnight]);
  assert.deepEqual(hoursBetween(midnight + 5 * 60_000, midnight + 10 * 60_000), []);
  assert.deepEqual(hoursBetween(midnight + 55 * 60_000, midnight + 3 * HOUR_MS), [
    midnight + HOUR_MS,
    midnight + 2 * HOUR_MS,
  ]);
});
