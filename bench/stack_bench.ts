/**
 * How fast the local stack starts: once cold (initdb, storage format), then warm several times,
 * on an isolated instance (temporary STACK_DIR, every port shifted), wiped at the end:
 *
 *   deno task bench:stack
 *
 * Options (env): BENCH_WARM_RUNS (3), BENCH_PORT_SHIFT (first free of 700, 800, ...).
 */
import { DEFAULT_PORTS, shiftedStackEnv } from "../stack/settings.ts";
import { isListening } from "../stack/process.ts";
import { loadAverage, seconds } from "./figures.ts";

const ROOT = new URL("../", import.meta.url).pathname;

export interface StackRun {
  label: string;
  code: number;
  wallMs: number;
  /** `service ready in 2.3 s` lines the stack printed, as [service, seconds]. */
  ready: [string, string][];
  load: string;
  output: string;
}

async function shiftedEnv(stackDir: string): Promise<Record<string, string>> {
  const requested = Deno.env.get("BENCH_PORT_SHIFT");
  const shifts = requested ? [Number(requested)] : [700, 800, 900, 1000, 1100];
  for (const shift of shifts) {
    const ports = Object.values(DEFAULT_PORTS).map((p) => p + shift);
    const busy = await Promise.all(ports.map((p) => isListening("127.0.0.1", p)));
    if (busy.some(Boolean)) continue;
    return shiftedStackEnv(stackDir, shift);
  }
  throw new Error(`no free port range among shifts ${shifts.join(", ")}`);
}

/** The class-data archives the JVM services wrote (stack/jvm.ts), with their sizes. */
async function archives(stackDir: string): Promise<string> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${stackDir}/jvm`)) {
      const { size } = await Deno.stat(`${stackDir}/jvm/${entry.name}`);
      found.push(`${entry.name} ${Math.round(size / 2 ** 20)} MiB`);
    }
  } catch {
    // none yet
  }
  return found.sort().join(", ") || "none";
}

export function readyTimes(output: string): [string, string][] {
  return [...output.matchAll(/· (\S+) ready in ([\d.]+) s/g)].map((m) => [m[1], m[2]]);
}

async function stack(env: Record<string, string>, label: string, ...args: string[]) {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=stack", "stack/main.ts", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wallMs = performance.now() - started;
  const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return {
    label,
    code: out.code,
    wallMs,
    ready: readyTimes(output),
    load: loadAverage(),
    output,
  } satisfies StackRun;
}

function runLine(run: StackRun): string {
  const ready = run.ready.map(([name, s]) => `${name} ${s} s`).join(", ");
  const failed = run.code === 0 ? "" : ` FAILED (exit ${run.code})`;
  return `${run.label}: up in ${seconds(run.wallMs)}${failed} [${ready}] (${run.load})`;
}

export async function benchStack(
  warmRuns: number,
  log: (line: string) => void = console.log,
): Promise<StackRun[]> {
  const stackDir = await Deno.makeTempDir({ prefix: "cta-stack-bench-" });
  const env = await shiftedEnv(stackDir);
  log(`isolated stack in ${stackDir}, kafka on port ${env.KAFKA_PORT}`);
  const runs: StackRun[] = [];
  try {
    const cold = await stack(env, "cold", "up");
    runs.push(cold);
    log(runLine(cold));
    if (cold.code !== 0) throw new Error(`cold start failed:\n${cold.output}`);
    for (let i = 1; i <= warmRuns; i++) {
      const down = await stack(env, "down", "down");
      if (down.code !== 0) throw new Error(`down failed:\n${down.output}`);
      const stops = [...down.output.matchAll(/· (\S+) \(pid \d+\) (stopped|killed)/g)]
        .map((m) => `${m[1]} ${m[2]}`).join(", ");
      log(
        `down in ${seconds(down.wallMs)} [${stops}]; class-data archives: ${await archives(
          stackDir,
        )}`,
      );
      const warm = await stack(env, `warm ${i}`, "up");
      runs.push(warm);
      log(runLine(warm));
      if (warm.code !== 0) throw new Error(`warm start failed:\n${warm.output}`);
    }
  } finally {
    const wipe = await stack(env, "wipe", "down", "--wipe");
    log(`down --wipe: exit ${wipe.code} in ${seconds(wipe.wallMs)}`);
    await Deno.remove(stackDir, { recursive: true }).catch(() => {});
  }
  return runs;
}

if (import.meta.main) {
  const warmRuns = Number(Deno.env.get("BENCH_WARM_RUNS") ?? 3);
  const runs = await benchStack(warmRuns, (line) => console.error(`· ${line}`));
  for (const run of runs) console.log(runLine(run));
  const warm = runs.filter((r) => r.label.startsWith("warm")).map((r) => r.wallMs);
  if (warm.length > 0) {
    console.log(
      `warm start: best ${seconds(Math.min(...warm))}, worst ${seconds(Math.max(...warm))} ` +
        `(target < 15 s)`,
    );
  }
}
