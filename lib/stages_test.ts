import assert from "node:assert/strict";
import { STAGES, stagesStartedByStart, taskLine } from "./stages.ts";

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

Deno.test("deno task start runs every stage that serves health, unless the stack runs it", () => {
  const stackServices = [...Deno.readDirSync(new URL("../stack/services/", import.meta.url))]
    .map((entry) =>
      Deno.readTextFileSync(new URL(`../stack/services/${entry.name}`, import.meta.url))
    )
    .join("\n");
  const started = new Set(stagesStartedByStart().map(([name]) => name));
  for (const [name, stage] of Object.entries(STAGES)) {
    if (!stage.health || started.has(name as keyof typeof STAGES)) continue;
    assert.ok(
      stackServices.includes(`STAGES.${name}`),
      `${name} serves health but nothing starts it`,
    );
  }
  const order = stagesStartedByStart().map(([name]) => name);
  assert.ok(order.includes("summary") && order.includes("stations") && order.includes("simulate"));
  assert.equal(order.at(-1), "dashboard", "the dashboard starts once the health ports are known");
});

Deno.test("start.ts takes its stages from the registry, not from a list of its own", () => {
  const start = Deno.readTextFileSync(new URL("../start.ts", import.meta.url));
  assert.match(start, /stagesStartedByStart\(\)/);
  const named = [...start.matchAll(/STAGES\.(\w+)/g)].map((m) => m[1]);
  // Only the two it treats apart: the simulation takes the arguments, the dashboard the targets.
  for (const name of named) assert.ok(["dashboard", "simulate"].includes(name), `STAGES.${name}`);
});
