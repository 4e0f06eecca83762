import assert from "node:assert/strict";
import { loadSimData } from "./data.ts";
import { entryCount, type ModelOptions, Simulation, type StepEvents } from "./model.ts";
import { expectedEntries } from "./turnstiles.ts";

const data = loadSimData();
const options: ModelOptions = {
  start: Date.parse("2026-11-27T00:00:00Z"),
  stepMinutes: 5,
  trainsPerLine: 10,
  seed: 7,
  weather: true,
};

const run = (opts: ModelOptions, steps: number) => {
  const sim = new Simulation(data, opts);
  return Array.from({ length: steps }, () => sim.step());
};

Deno.test("the same seed reproduces a run exactly; another seed does not", () => {
  assert.deepEqual(run(options, 50), run(options, 50));
  assert.notDeepEqual(run(options, 50), run({ ...options, seed: 8 }, 50));
});

Deno.test("turning weather off leaves trains and entries unchanged", () => {
  const withWeather = run(options, 30);
  const without = run({ ...options, weather: false }, 30);
  assert.deepEqual(without.map((s) => s.arrivals), withWeather.map((s) => s.arrivals));
  assert.deepEqual(without.map((s) => s.entries), withWeather.map((s) => s.entries));
  assert.ok(without.every((s) => s.weather.length === 0));
});

Deno.test("steps advance the clock from midnight; every train reports once per step", () => {
  const steps = run(options, 13);
  assert.deepEqual(steps.map((s) => s.time), steps.map((_, i) => options.start + i * 5 * 60_000));
  for (const step of steps) {
    assert.equal(step.arrivals.length, 30);
    assert.equal(new Set(step.arrivals.map((a) => a.train_id)).size, 30);
    assert.ok(step.arrivals.every((a) => a.event_time === step.time), "stamped with the step");
  }
  assert.ok(steps[0].arrivals.every((a) => a.prev_station_id === null));
  assert.ok(steps[1].arrivals.every((a) => a.prev_station_id !== null));
  // One reading at 00:00 and one at 01:00 (step 12).
  assert.deepEqual(
    steps.flatMap((s) => s.weather.map((w) => w.timestamp)),
    [options.start, options.start + 3_600_000],
  );
});

Deno.test("entries per station follow the formula within the noise", () => {
  const [step] = run({ ...options, start: Date.parse("2026-11-27T08:00:00Z") }, 1);
  assert.equal(step.entries.length, 92);
  for (const e of step.entries) {
    const expected = expectedEntries(data.ridership.get(e.stationId)!.weekday, 0.125, 5);
    assert.ok(e.count >= Math.max(0, expected - 5) && e.count <= expected + 4, `${e.stationId}`);
  }
  assert.ok(entryCount(step) > 1000);
});

Deno.test("staged faults: the broken-down train holds, the silenced one goes quiet, the others run as before", () => {
  const plain = run(options, 12);
  const staged = run({
    ...options,
    breakDowns: [{ trainId: "RL002", step: 3, steps: 4 }],
    silences: [{ trainId: "BL001", step: 5 }],
  }, 12);
  const others = (s: StepEvents) =>
    s.arrivals.filter((a) => a.train_id !== "RL002" && a.train_id !== "BL001");
  assert.deepEqual(staged.map(others), plain.map(others));

  const red = staged.map((s) => s.arrivals.find((a) => a.train_id === "RL002")!);
  assert.deepEqual(
    red.map((a) => a.train_status),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) =>
      i >= 3 && i < 7 ? "broken_down" : plain[i].arrivals.find((a) => a.train_id === "RL002")!
        .train_status
    ),
  );
  for (let i = 3; i < 7; i++) assert.equal(red[i].station_id, red[2].station_id, `step ${i}`);
  assert.notEqual(red[7].station_id, red[2].station_id, "runs again at step 7");
  assert.equal(red[7].prev_station_id, red[2].station_id);

  const blue = staged.map((s) => s.arrivals.filter((a) => a.train_id === "BL001").length);
  assert.deepEqual(blue, [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(staged[5].arrivals.length, 29);
});

Deno.test("a staged fault that names no train is refused", () => {
  assert.throws(
    () => new Simulation(data, { ...options, silences: [{ trainId: "RL010", step: 1 }] }),
    /RL010/,
  );
});
