/**
 * The whole system on the local stack, in one command:
 *
 *   deno task start            # stack, connector, both stages, the simulation, the dashboard
 *   deno task start --help
 *
 * One Ctrl+C (or SIGTERM) stops every process it started, the stack too when it started it.
 */
import { parseArgs } from "node:util";
import { loadConfig, type OpsTarget, opsTargetsValue } from "./lib/config.ts";
import { freePort, pollReady } from "./lib/health.ts";
import { signal } from "./lib/process_deadline.ts";
import { loadStackSettings } from "./stack/settings.ts";
import { launchCommand, STAGES, type StageSpec, stagesStartedByStart } from "./lib/stages.ts";
import { renderTable } from "./stack/table.ts";

const HELP = `Usage: deno task start [options] [-- simulation options]

Starts the local stack (if it is not up yet), every stage of lib/stages.ts marked startedByStart
(the stream processors, the simulation and the dashboard), waits for each one's /readyz, prints
how long each took and the dashboard's URL. Ctrl+C stops all of them, and the stack too if this
command started it.

Options:
  --keep-stack     leave the stack running on exit, even if this command started it
  --help           show this help

Anything after -- goes to the simulation (see deno task simulate --help), e.g.
  deno task start -- --step-seconds 1`;

const ROOT = new URL(".", import.meta.url);

interface Child {
  name: string;
  process: Deno.ChildProcess;
  /** In a session of its own: a terminal's Ctrl+C does not reach it. */
  detached: boolean;
}

// Lines every Deno process prints once that say nothing about the system.
const NOISE = [
  "Permissions in the config file is an experimental",
  "TimeoutNegativeWarning",
  "Timeout duration was set to 1.",
];

/** How long each stage gets to answer /readyz before start reports it as not ready. */
const READY_TIMEOUT_MS = 120_000;

const COLORS = ["\x1b[36m", "\x1b[33m", "\x1b[35m", "\x1b[32m", "\x1b[34m"];

/** Prefixes each line a child prints with its name, so that the streams stay readable. */
async function relay(name: string, color: string, stream: ReadableStream<Uint8Array>) {
  const prefix = Deno.stdout.isTerminal() ? `${color}${name.padEnd(9)}\x1b[0m│ ` : `${name}: `;
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      if (NOISE.some((noise) => line.includes(noise))) continue;
      // Stages already start their lines with their own name.
      console.log(prefix + (line.startsWith(`${name}: `) ? line.slice(name.length + 2) : line));
    }
  }
  if (pending) console.log(prefix + pending);
}

function spawn(
  name: string,
  stage: StageSpec,
  args: string[],
  index: number,
  env: Record<string, string>,
): Child {
  const command = launchCommand(stage, args);
  const process = new Deno.Command(command.cmd, {
    args: command.args,
    detached: command.detached,
    cwd: ROOT,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const color = COLORS[index % COLORS.length];
  relay(name, color, process.stdout);
  relay(name, color, process.stderr);
  return { name, process, detached: command.detached };
}

async function stack(command: string): Promise<boolean> {
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=stack", "stack/main.ts", command],
    cwd: ROOT,
    stdout: command === "status" ? "null" : "inherit",
    stderr: command === "status" ? "null" : "inherit",
  }).output();
  return success;
}

async function main() {
  const { values, positionals } = parseArgs({
    options: {
      "keep-stack": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const config = loadConfig();
  const stackWasUp = await stack("status");
  if (!(await stack("up"))) {
    console.error("start: the stack did not come up; see the lines above");
    Deno.exit(1);
  }
  const stopStackOnExit = !stackWasUp && !values["keep-stack"];

  // Each stage's health server on a port of its own, known before the dashboard starts.
  const dashboardUrl = `http://${config.dashboard.host}:${config.dashboard.port}`;
  const { host, ports } = loadStackSettings(ROOT.pathname);
  const healthTargets: OpsTarget[] = [
    { name: "rest-proxy", url: `http://${host}:${ports.restProxyHealth}` },
  ];
  const startedAt = performance.now();
  const children = stagesStartedByStart().map(([name, stage], index) => {
    const env: Record<string, string> = {};
    if (stage.health) {
      const port = freePort();
      env.HEALTH_PORT = String(port);
      healthTargets.push({ name, url: `http://${config.health.host}:${port}` });
    }
    if (stage === STAGES.dashboard) {
      // Targets given in the environment (e.g. the REST proxy's) come first.
      const given = Deno.env.get("OPS_TARGETS");
      env.OPS_TARGETS = [given, opsTargetsValue(healthTargets)].filter(Boolean).join(",");
    }
    return spawn(name, stage, stage === STAGES.simulate ? positionals : [], index, env);
  });

  let stopping = false;
  const exited = new Set<string>();
  for (const child of children) child.process.status.then(() => exited.add(child.name));
  async function stopAll(code: number, graceMs = 0) {
    if (stopping) return;
    stopping = true;
    console.log("start: stopping everything it started…");
    // After a terminal's Ctrl+C the children got the SIGINT too; give them a moment first. Those
    // in a session of their own did not: they are told now.
    for (const child of children.filter((c) => c.detached)) signal(child.process, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (exited.size < children.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const child of children.filter((c) => !c.detached && !exited.has(c.name))) {
      signal(child.process, "SIGTERM");
    }
    const timeout = setTimeout(() => {
      for (const child of children) signal(child.process, "SIGKILL");
    }, 15_000);
    await Promise.all(children.map((c) => c.process.status));
    clearTimeout(timeout);
    if (stopStackOnExit) await stack("down");
    console.log("start: stopped");
    Deno.exit(code);
  }
  Deno.addSignalListener("SIGINT", () => stopAll(0, 5_000));
  Deno.addSignalListener("SIGTERM", () => stopAll(0));
  // A closed terminal hangs up on its session, which the background stages are not in.
  Deno.addSignalListener("SIGHUP", () => stopAll(0));

  // A stage that ends by itself is a failure of the whole run; the simulation may finish.
  for (const child of children) {
    child.process.status.then((status) => {
      if (stopping) return;
      if (child.name === "simulate" && status.success) {
        console.log("start: the simulation finished; the rest keeps running (Ctrl+C to stop)");
        return;
      }
      console.error(`start: ${child.name} exited with code ${status.code}`);
      stopAll(1);
    });
  }

  const readiness = [...healthTargets, { name: "dashboard", url: dashboardUrl }];
  const readyAfterMs = await Promise.all(readiness.map(async ({ name, url }) => {
    const ready = await pollReady(url, READY_TIMEOUT_MS, () => !exited.has(name));
    return ready ? performance.now() - startedAt : null;
  }));
  if (stopping) return;
  console.log(
    "\n" + renderTable(
      ["stage", "ready", "after", "health"],
      readiness.map(({ name, url }, i) => [
        name,
        readyAfterMs[i] === null ? "NOT READY" : "ready",
        readyAfterMs[i] === null
          ? `> ${READY_TIMEOUT_MS / 1000} s`
          : `${(readyAfterMs[i]! / 1000).toFixed(1)} s`,
        `${url}/readyz`,
      ]),
    ),
  );
  if (!(await pollReady(dashboardUrl, 1_000, () => true, "/healthz"))) {
    console.error(`start: the dashboard did not answer at ${dashboardUrl}`);
    await stopAll(1);
    return;
  }
  const late = readiness.filter((_, i) => readyAfterMs[i] === null).map((t) => t.name);
  if (late.length > 0) {
    console.error(`start: not ready yet: ${late.join(", ")}; see their lines above and /ops`);
  }
  console.log(
    `\n  CTA Transit Status is live: ${dashboardUrl}\n  Operations: ${dashboardUrl}/ops\n` +
      `  Press Ctrl+C to stop.\n`,
  );
}

if (import.meta.main) await main();
