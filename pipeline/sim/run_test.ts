import assert from "node:assert/strict";
import { loadSimData } from "./data.ts";
import { Simulation, type StepEvents } from "./model.ts";
import { ReportBuilder } from "./report.ts";
import { runSteps } from "./run.ts";
import type { WeatherReading } from "./weather.ts";

const data = loadSimData();
const newSim = () =>
  new Simulation(data, {
    start: Date.parse("2026-11-27T00:00:00Z"),
    stepMinutes: 30,
    trainsPerLine: 10,
    seed: 1,
    weather: true,
  });

Deno.test("runs the given number of steps, hands every step and reading to the sinks", async () => {
  const seen: StepEvents[] = [];
  const readings: WeatherReading[] = [];
  const lines: string[] = [];
  const stepped: number[] = [];
  const report = new ReportBuilder();
  const result = await runSteps(
    newSim(),
    {
      events: (step) => Promise.resolve(void seen.push(step)),
      weather: (r) => Promise.resolve(void readings.push(...r)),
    },
    report,
    {
      steps: 5,
      stepSeconds: 0,
      log: (l) => lines.push(l),
      onStep: (step) => stepped.push(step.index),
    },
  );
  assert.equal(result.steps, 5);
  assert.deepEqual(stepped, [0, 1, 2, 3, 4]);
  assert.deepEqual(seen.map((s) => s.index), [0, 1, 2, 3, 4]);
  assert.deepEqual(readings.map((r) => new Date(r.timestamp).getUTCHours()), [0, 1, 2]);
  assert.equal(report.steps, 5);
  assert.equal(lines.length, 5);
  assert.match(
    lines[1],
    /^2026-11-27T00:30:00Z step 1: \d+ events \(30 arrivals, \d+ entries, 0 weather\)/,
  );
});

Deno.test("an abort stops the loop after the current step, even while it waits", async () => {
  const controller = new AbortController();
  let steps = 0;
  const result = await runSteps(
    newSim(),
    {
      events: () => {
        // Abort while the loop waits out the first hour-long step.
        if (++steps === 1) setTimeout(() => controller.abort(), 10);
        return Promise.resolve();
      },
    },
    new ReportBuilder(),
    {
      steps: undefined,
      stepSeconds: 3600,
      signal: controller.signal,
      log: () => {},
    },
  );
  assert.equal(result.steps, 1);
});

Deno.test("a failing sink fails the run and the step is not counted", async () => {
  const report = new ReportBuilder();
  await assert.rejects(
    runSteps(newSim(), { events: () => Promise.reject(new Error("broker gone")) }, report, {
      steps: 3,
      stepSeconds: 0,
      log: () => {},
    }),
    /broker gone/,
  );
  assert.equal(report.steps, 0);
});
