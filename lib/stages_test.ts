import assert from "node:assert/strict";
import {
  cpuWeight,
  denoArgs,
  launchCommand,
  STAGES,
  type StageSpec,
  stagesStartedByStart,
  taskLine,
} from "./stages.ts";

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

Deno.test("launchers run background stages in a session of their own, at a lower CPU weight", () => {
  // The throughput work: the simulation at full speed and the summary take every idle cycle.
  const niceness = Object.fromEntries(
    Object.entries(STAGES).filter(([, s]) => (s as StageSpec).niceness !== undefined)
      .map(([name, s]) => [name, (s as StageSpec).niceness]),
  );
  assert.deepEqual(niceness, { simulate: 19, summary: 10 });
  // The summary outranks the load it counts, and the serving path outranks both.
  assert.deepEqual([0, 10, 19].map(cpuWeight), [1024, 110, 15]);
  const serving = launchCommand(STAGES.dashboard, [], "/bin/deno", "linux");
  assert.deepEqual(serving, {
    cmd: "/bin/deno",
    args: denoArgs(STAGES.dashboard),
    detached: false,
  });
  const summary = launchCommand(STAGES.summary, ["--group", "g"], "/bin/deno", "linux");
  assert.equal(summary.cmd, "sh");
  assert.equal(summary.detached, true);
  assert.deepEqual(summary.args.slice(2), [
    "10",
    "/bin/deno",
    ...denoArgs(STAGES.summary, ["--group", "g"]),
  ]);
  assert.equal(launchCommand(STAGES.summary, [], "deno.exe", "windows").detached, false);
});

/** What a command prints (Deno reads no /proc file of another process without --allow-all). */
const IDLE_NICENESS = 10;

function output(cmd: string, ...args: string[]): string {
  const { stdout, success } = new Deno.Command(cmd, { args, stderr: "inherit" }).outputSync();
  assert.ok(success, `${cmd} ${args.join(" ")}`);
  return new TextDecoder().decode(stdout).trim();
}

Deno.test({
  name: "a background stage runs in its own session, every thread and the session at nice 10",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const idle: StageSpec = {
      task: "idle",
      script: "tests/helpers/idle_stage.ts",
      permissions: "stage",
      health: false,
      startedByStart: false,
      niceness: IDLE_NICENESS,
    };
    const command = launchCommand(idle);
    const child = new Deno.Command(command.cmd, {
      args: command.args,
      detached: command.detached,
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      // The stage says so once its threads are up.
      const reader = child.stdout.getReader();
      const { value } = await reader.read();
      assert.match(new TextDecoder().decode(value), /idle/);
      reader.releaseLock();
      const pid = String(child.pid);
      assert.equal(output("ps", "-o", "sid=", "-p", pid), pid, "its own session");
      const threads = output("ps", "-L", "-o", "ni=", "-p", pid).split("\n").map(Number);
      assert.ok(threads.length > 1, "deno runs several threads");
      assert.deepEqual(new Set(threads), new Set([IDLE_NICENESS]), "every thread's niceness");
      const autogroup = output(
        "sh",
        "-c",
        'cat /proc/sys/kernel/sched_autogroup_enabled "$0" 2>/dev/null || true',
        `/proc/${pid}/autogroup`,
      );
      if (autogroup.startsWith("1")) {
        assert.match(autogroup, new RegExp(`nice ${IDLE_NICENESS}$`), "its session's niceness");
      }
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    }
  },
});
