import assert from "node:assert/strict";
import { lineOfRoute, routeCode, runNumber, trainOfRun } from "./lines.ts";

Deno.test("route codes are CTA's, in any case, and only red, blue and g are simulated", () => {
  assert.equal(routeCode("Red"), "red");
  assert.equal(routeCode("G"), "g");
  assert.equal(routeCode("Brn"), "brn");
  assert.equal(routeCode("green"), null);
  assert.equal(routeCode(""), null);
  assert.equal(lineOfRoute("g"), "green");
  assert.equal(lineOfRoute("blue"), "blue");
  assert.equal(lineOfRoute("pink"), null);
});

Deno.test("run numbers are three digits in each line's range", () => {
  assert.equal(runNumber("RL004", "red"), "804");
  assert.equal(runNumber("RL199", "red"), "999");
  assert.equal(runNumber("BL000", "blue"), "100");
  assert.equal(runNumber("GL012", "green"), "512");
  assert.equal(runNumber("RL200", "red"), null);
  assert.equal(runNumber("BL004", "red"), null);
  assert.equal(runNumber("RL4", "red"), null);
});

Deno.test("every run number leads back to its train", () => {
  for (const [prefix, line] of [["RL", "red"], ["BL", "blue"], ["GL", "green"]] as const) {
    for (let n = 0; n < 200; n++) {
      const trainId = `${prefix}${String(n).padStart(3, "0")}`;
      const run = runNumber(trainId, line);
      assert.ok(run);
      assert.deepEqual(trainOfRun(run), { trainId, line });
    }
  }
  assert.equal(trainOfRun("042"), null);
  assert.equal(trainOfRun("8040"), null);
  assert.equal(trainOfRun("abc"), null);
});
