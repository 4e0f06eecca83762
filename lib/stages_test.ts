import assert from "node:assert/strict";
import { STAGES, taskLine } from "./stages.ts";

const denoJson = JSON.parse(
  await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
) as { tasks: Record<string, string>; permissions: Record<string, { write?: unknown }> };

Deno.test("deno.json runs every stage the way the stage registry says", () => {
  for (const stage of Object.values(STAGES)) {
    assert.equal(denoJson.tasks[stage.task], taskLine(stage), `task ${stage.task}`);
    assert.ok(denoJson.permissions[stage.permissions], `permission set ${stage.permissions}`);
  }
});

Deno.test("stages that write nothing get no write permission", () => {
  assert.equal(denoJson.permissions.stage.write, undefined);
  for (const stage of Object.values(STAGES)) {
    const script = Deno.readTextFileSync(new URL(`../${stage.script}`, import.meta.url));
    if (stage.permissions === "stage") {
      assert.doesNotMatch(script, /Deno\.(writeTextFile|writeFile|mkdir|makeTemp)/, stage.script);
    }
  }
});
