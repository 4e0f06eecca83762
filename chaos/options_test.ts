import assert from "node:assert/strict";
import { HELP, parseOptions, simulateArgs } from "./options.ts";

Deno.test("the defaults are those the help text gives", () => {
  assert.deepEqual(parseOptions([]), {
    brokers: 1,
    steps: 60,
    stepSeconds: 1.5,
    stepMinutes: 15,
    seed: 42,
    summaryKills: 10,
    zombieAtMs: 5000,
    keep: false,
  });
  for (const flag of HELP.match(/^ {2}--[a-z-]+/gm)!) {
    assert.match(
      flag.trim(),
      /^--(brokers|steps|step-seconds|step-minutes|seed|summary-kills|zombie-at|keep)$/,
    );
  }
  assert.equal(HELP.match(/^ {2}--/gm)!.length, 8);
});

Deno.test("options parse to numbers; --help gives null; an unknown option throws", () => {
  const options = parseOptions([
    ...["--brokers", "3", "--steps", "24", "--step-seconds", "1", "--step-minutes", "5"],
    ...["--seed", "7", "--summary-kills", "4", "--zombie-at", "120000", "--keep"],
  ]);
  assert.deepEqual(options, {
    brokers: 3,
    steps: 24,
    stepSeconds: 1,
    stepMinutes: 5,
    seed: 7,
    summaryKills: 4,
    zombieAtMs: 120000,
    keep: true,
  });
  assert.equal(parseOptions(["--help"]), null);
  assert.throws(() => parseOptions(["--kills", "3"]));
});

Deno.test("the simulation gets the run's seed and pacing, its report file and no connector", () => {
  const args = simulateArgs(parseOptions(["--seed", "7", "--step-seconds", "1"])!, "/l/sim.json");
  assert.deepEqual(args, [
    ...["--seed", "7", "--steps", "60", "--step-seconds", "1", "--step-minutes", "15"],
    ...["--start", "2026-11-02", "--report", "/l/sim.json", "--no-connector"],
  ]);
});
