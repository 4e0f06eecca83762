import assert from "node:assert/strict";
import { loadSimData } from "./data.ts";
import { entryCount, Simulation } from "./model.ts";
import { ReportBuilder } from "./report.ts";

Deno.test("the report sums entries and arrivals per station and lists weather readings", () => {
  const sim = new Simulation(loadSimData(), {
    start: Date.parse("2026-11-27T07:00:00Z"),
    stepMinutes: 20,
    trainsPerLine: 10,
    seed: 3,
    weather: true,
  });
  const builder = new ReportBuilder();
  const steps = Array.from({ length: 4 }, () => sim.step());
  steps.forEach((s) => builder.add(s));
  const report = builder.build({
    seed: 3,
    start: "2026-11-27T07:00:00.000Z",
    stepMinutes: 20,
    trains: 30,
    topics: { arrivals: "a", turnstiles: "t", weather: "w" },
  });
  assert.equal(report.steps, 4);
  assert.equal(report.totals.arrivals, 120);
  assert.equal(report.totals.turnstiles, steps.reduce((n, s) => n + entryCount(s), 0));
  const perStation = Object.values(report.stations);
  assert.equal(perStation.reduce((n, s) => n + s.turnstiles, 0), report.totals.turnstiles);
  assert.equal(perStation.reduce((n, s) => n + s.arrivals, 0), 120);
  const clarkLake = steps.reduce(
    (n, s) => n + s.entries.find((e) => e.stationId === 40380)!.count,
    0,
  );
  assert.equal(report.stations["40380"].turnstiles, clarkLake);
  // Steps at 07:00, 07:20, 07:40, 08:00: readings at 07:00 and 08:00.
  assert.deepEqual(report.weather, [
    Date.parse("2026-11-27T07:00:00Z"),
    Date.parse("2026-11-27T08:00:00Z"),
  ]);
});
