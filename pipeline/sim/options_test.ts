import assert from "node:assert/strict";
import { midnightUtc, parseDuration, parseOptions, UsageError } from "./options.ts";

const now = Date.parse("2026-11-27T15:42:10Z");

Deno.test("defaults: 5-minute steps every 5 s from today's midnight UTC, 10 trains, forever", () => {
  const options = parseOptions([], now, () => 123);
  assert.equal(options.stepMinutes, 5);
  assert.equal(options.stepSeconds, 5);
  assert.equal(options.seed, 123);
  assert.equal(options.steps, undefined);
  assert.equal(options.start, Date.parse("2026-11-27T00:00:00Z"));
  assert.equal(options.trainsPerLine, 10);
  assert.equal(options.partitions, undefined);
  assert.ok(options.weather && options.connector && !options.help);
});

Deno.test("options are read as given", () => {
  const options = parseOptions([
    "--steps",
    "3",
    "--step-seconds",
    "0",
    "--seed",
    "7",
    "--start",
    "2026-07-04",
    "--partitions",
    "6",
    "--trains-per-line",
    "4",
    "--report",
    "/tmp/r.json",
    "--no-weather",
    "--no-connector",
  ], now);
  assert.deepEqual(
    [options.steps, options.stepSeconds, options.seed, options.partitions, options.trainsPerLine],
    [3, 0, 7, 6, 4],
  );
  assert.equal(options.start, Date.parse("2026-07-04T00:00:00Z"));
  assert.equal(options.report, "/tmp/r.json");
  assert.ok(!options.weather && !options.connector);
});

Deno.test("a duration becomes whole steps", () => {
  assert.equal(parseDuration("6h"), 360);
  assert.equal(parseDuration("2d"), 2880);
  assert.equal(parseOptions(["--duration", "6h"], now).steps, 72);
  assert.equal(parseOptions(["--duration", "7m", "--step-minutes", "5"], now).steps, 2);
});

Deno.test("bad options are refused with a usage error", () => {
  for (
    const args of [
      ["--steps", "-1"],
      ["--steps", "1.5"],
      ["--step-minutes", "0"],
      ["--step-seconds", "x"],
      ["--duration", "6 hours"],
      ["--steps", "3", "--duration", "1h"],
      ["--start", "yesterday"],
      ["--bogus"],
    ]
  ) {
    assert.throws(() => parseOptions(args, now), UsageError, args.join(" "));
  }
});

Deno.test("the start is midnight UTC of the given day, whatever its time", () => {
  assert.equal(midnightUtc("2026-12-25T23:59:00Z", now), Date.parse("2026-12-25T00:00:00Z"));
});

Deno.test("staged faults: --break-down TRAIN@STEP[:STEPS] and --silence TRAIN@STEP, repeatable", () => {
  const options = parseOptions([
    "--break-down",
    "RL002@3:4",
    "--break-down",
    "GL009@10",
    "--silence",
    "BL001@5",
  ], now);
  assert.deepEqual(options.breakDowns, [
    { trainId: "RL002", step: 3, steps: 4 },
    { trainId: "GL009", step: 10, steps: 4 },
  ]);
  assert.deepEqual(options.silences, [{ trainId: "BL001", step: 5 }]);
  assert.deepEqual(parseOptions([], now).breakDowns, []);
  for (
    const args of [
      ["--break-down", "RL002"],
      ["--break-down", "RL002@0"],
      ["--break-down", "RL002@3:0"],
      ["--break-down", "XL002@3"],
      ["--break-down", "RL010@3"],
      ["--trains-per-line", "2", "--silence", "BL002@1"],
      ["--silence", "BL001@5:2"],
      ["--silence", "bl001@5"],
    ]
  ) {
    assert.throws(() => parseOptions(args, now), UsageError, args.join(" "));
  }
});
