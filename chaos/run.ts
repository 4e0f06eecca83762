/**
 * A chaos run's context: its isolated stack, the child processes it started and the faults it
 * recorded.
 */
import type { Kafka } from "kafkajs";
import { type Config, loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { isAlive, readPid, stopGroup } from "../stack/process.ts";
import { pidFile } from "../stack/service.ts";
import { postgres } from "../stack/services/postgres.ts";
import { clientEnv } from "../stack/client_env.ts";
import { loadStackSettings, type StackSettings } from "../stack/settings.ts";
import type { Options } from "./options.ts";
import { type Child, denoRun } from "./processes.ts";
import type { StageSpec } from "../lib/stages.ts";
import type { FaultRecord } from "./report.ts";
import { isolatedStackEnv } from "./stack_env.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function say(line: string): void {
  console.log(`chaos: ${line}`);
}

export async function withRetries<T>(
  what: string,
  action: () => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= attempts) throw error;
      say(`${what}: ${(error as Error).message}; retry ${attempt}`);
      await sleep(2000);
    }
  }
}

export class Run {
  readonly started = performance.now();
  readonly faults: FaultRecord[] = [];
  readonly children: Child[] = [];
  readonly kafka: Kafka;

  constructor(
    readonly options: Options,
    readonly settings: StackSettings,
    readonly stackEnv: Record<string, string>,
    readonly env: Record<string, string>,
    readonly config: Config,
    readonly logDir: string,
  ) {
    this.kafka = createKafka("chaos", config.kafka);
  }

  /** The isolated stack's settings and the stages' environment, with topics of their own. */
  static async create(options: Options): Promise<Run> {
    const stackEnv = isolatedStackEnv(Deno.env.toObject(), options.brokers);
    const settings = loadStackSettings(ROOT, (name) => stackEnv[name]);
    const namespace = `chaos-${options.seed}-${crypto.randomUUID().slice(0, 6)}.`;
    const env: Record<string, string> = {
      ...Deno.env.toObject(),
      ...clientEnv(settings),
      TOPIC_NAMESPACE: namespace,
      DASHBOARD_PORT: String(8888 + Number(stackEnv.CHAOS_PORT_SHIFT ?? 0)),
      KAFKAJS_NO_PARTITIONER_WARNING: "1",
    };
    const config = loadConfig((name) => env[name]);
    // Outside the stack directory, which `down --wipe` removes.
    const logDir = `${ROOT}/.stack/chaos-logs/${namespace.slice(0, -1)}`;
    await Deno.mkdir(logDir, { recursive: true });
    return new Run(options, settings, stackEnv, env, config, logDir);
  }

  /** Milliseconds since the run started. */
  get elapsed(): number {
    return performance.now() - this.started;
  }

  /** Resolves once `elapsed` has reached `atMs` (at once if it has). */
  sleepUntil(atMs: number): Promise<unknown> {
    return sleep(Math.max(0, atMs - this.elapsed));
  }

  async stack(...args: string[]): Promise<void> {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-P=stack", "stack/main.ts", ...args],
      cwd: ROOT,
      env: this.stackEnv,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    await Deno.writeTextFile(`${this.logDir}/stack.log`, `$ stack ${args.join(" ")}\n${text}`, {
      append: true,
    });
    if (!output.success) throw new Error(`stack ${args.join(" ")} failed:\n${text.slice(-1500)}`);
  }

  async up(): Promise<void> {
    const upStart = this.elapsed;
    const brokers = String(this.options.brokers);
    // A freshly started Connect may not answer the connector request in time: `up` again.
    await this.stack("up", "--brokers", brokers).catch(() =>
      this.stack("up", "--brokers", brokers)
    );
    say(`stack up in ${((this.elapsed - upStart) / 1000).toFixed(1)} s`);
  }

  start(name: string, stage: StageSpec, args: string[] = []): Child {
    const child = denoRun(name, stage, args, this.env, this.logDir);
    this.children.push(child);
    return child;
  }

  /** SIGTERM to every child still running, SIGKILL to those still there 10 s later. */
  async stopChildren(): Promise<void> {
    await Promise.all(
      this.children.filter((c) => c.running).map((c) => c.kill("SIGTERM", 10_000)),
    );
  }

  record(fault: string, atMs: number, recoveredMs: number | undefined, verified: string): void {
    this.faults.push({ fault, atMs, recoveredMs, verified });
    const recovered = recoveredMs === undefined
      ? ""
      : `, recovered in ${(recoveredMs / 1000).toFixed(1)} s`;
    say(`${fault} at +${(atMs / 1000).toFixed(1)} s${recovered}: ${verified}`);
  }

  async stopStackService(name: string, signal: Deno.Signal = "SIGTERM"): Promise<void> {
    const pid = name === "postgres"
      ? await postgres.pid!(this.settings)
      : await readPid(pidFile(this.settings, name));
    if (pid === undefined || !isAlive(pid)) throw new Error(`${name} is not running`);
    await stopGroup(pid, signal, 20_000);
  }
}
