/**
 * The whole system on the local stack, in one command:
 *
 *   deno task start            # stack, connector, both stages, the simulation, the dashboard
 *   deno task start --help
 *
 * One Ctrl+C (or SIGTERM) stops every process it started, the stack too when it started it.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "./lib/config.ts";
import { pollReady } from "./lib/health.ts";
import { denoArgs, STAGES, type StageSpec } from "./lib/stages.ts";

const HELP = `Usage: deno task start [options] [-- simulation options]

Starts the local stack (if it is not up yet), the stations and turnstile summary stages, the
simulation and the dashboard, and prints the dashboard's URL. Ctrl+C stops all of them, and
the stack too if this command started it.

Options:
  --keep-stack     leave the stack running on exit, even if this command started it
  --help           show this help

Anything after -- goes to the simulation (see deno task simulate --help), e.g.
  deno task start -- --step-seconds 1`;

const ROOT = new URL(".", import.meta.url);

interface Child {
  name: string;
  process: Deno.ChildProcess;
}

// Lines every Deno process prints once that say nothing about the system.
const NOISE = [
  "Permissions in the config file is an experimental",
  "TimeoutNegativeWarning",
  "Timeout duration was set to 1.",
];

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

function spawn(name: string, stage: StageSpec, args: string[], index: number): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args: denoArgs(stage, args),
    cwd: ROOT,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const color = COLORS[index % COLORS.length];
  relay(name, color, process.stdout);
  relay(name, color, process.stderr);
  return { name, process };
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

  const children = [
    spawn("stations", STAGES.stations, [], 0),
    spawn("summary", STAGES.summary, [], 1),
    spawn("simulate", STAGES.simulate, positionals, 2),
    spawn("dashboard", STAGES.dashboard, [], 3),
  ];

  let stopping = false;
  const exited = new Set<string>();
  for (const child of children) child.process.status.then(() => exited.add(child.name));
  async function stopAll(code: number, graceMs = 0) {
    if (stopping) return;
    stopping = true;
    console.log("start: stopping everything it started…");
    // After a terminal's Ctrl+C the children got the SIGINT too; give them a moment first.
    const deadline = Date.now() + graceMs;
    while (exited.size < children.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const child of children.filter((c) => !exited.has(c.name))) {
      try {
        child.process.kill("SIGTERM");
      } catch {
        // already ended
      }
    }
    const timeout = setTimeout(() => {
      for (const child of children) {
        try {
          child.process.kill("SIGKILL");
        } catch {
          // already ended
        }
      }
    }, 15_000);
    await Promise.all(children.map((c) => c.process.status));
    clearTimeout(timeout);
    if (stopStackOnExit) await stack("down");
    console.log("start: stopped");
    Deno.exit(code);
  }
  Deno.addSignalListener("SIGINT", () => stopAll(0, 5_000));
  Deno.addSignalListener("SIGTERM", () => stopAll(0));

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

  const url = `http://${config.dashboard.host}:${config.dashboard.port}`;
  if (await pollReady(url, 60_000, () => true, "/healthz")) {
    console.log(`\n  CTA Transit Status is live: ${url}\n  Press Ctrl+C to stop.\n`);
  } else {
    console.error(`start: the dashboard did not answer at ${url}`);
    await stopAll(1);
  }
}

if (import.meta.main) await main();
