/** The chaos run's own child processes: stages and the dashboard, with their output in files. */
import { freePort, pollReady } from "../lib/health.ts";
import { denoArgs, STAGES, type StageSpec } from "../lib/stages.ts";
import { killAfter, signal } from "../lib/process_deadline.ts";

const ROOT = new URL("../", import.meta.url).pathname;

export class Child {
  #process: Deno.ChildProcess;
  #text = "";
  #exitCode: number | undefined;
  readonly exited: Promise<number>;
  readonly startedAt = performance.now();

  /**
   * @param healthUrl its /healthz, /readyz and /metrics: a stage's health server, the dashboard's
   *   own port
   * @param servesHealth false for a process that serves none (the simulation)
   */
  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string>,
    logFile: string,
    readonly healthUrl: string,
    readonly servesHealth: boolean,
  ) {
    this.#process = new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const log = Deno.openSync(logFile, { append: true, create: true });
    const decoder = new TextDecoder();
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) {
        this.#text += decoder.decode(chunk, { stream: true });
        log.writeSync(chunk);
      }
    };
    const drained = Promise.all([drain(this.#process.stdout), drain(this.#process.stderr)]);
    this.exited = this.#process.status.then(async (status) => {
      await drained;
      log.close();
      this.#exitCode = status.signal ? 128 : status.code;
      return this.#exitCode;
    });
  }

  get pid(): number {
    return this.#process.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  output(): string {
    return this.#text;
  }

  /** Resolves with the milliseconds since start once /readyz answers 200, or rejects. */
  async waitReady(timeoutMs: number): Promise<number> {
    if (await pollReady(this.healthUrl, timeoutMs, () => this.running)) {
      return performance.now() - this.startedAt;
    }
    throw new Error(
      `${this.name} ${this.running ? "was not ready in time" : "exited before it was ready"}`,
    );
  }

  /** Sends `name`; a process still running `graceMs` later is SIGKILLed. Its exit code. */
  kill(name: Deno.Signal, graceMs = 30_000): Promise<number> {
    signal(this.#process, name);
    return name === "SIGKILL" ? this.exited : this.exitWithin(graceMs);
  }

  /** Its exit code once it ends by itself; one still running after `timeoutMs` is SIGKILLed. */
  async exitWithin(timeoutMs: number): Promise<number> {
    return (await killAfter(this.exited, this.#process, timeoutMs)).value;
  }
}

/** A stage as its deno.json task runs it, from the repository root, with a health port. */
export function denoRun(
  name: string,
  stage: StageSpec,
  args: string[],
  env: Record<string, string>,
  logDir: string,
): Child {
  const healthPort = freePort();
  const isDashboard = stage === STAGES.dashboard;
  const healthUrl = `http://127.0.0.1:${isDashboard ? env.DASHBOARD_PORT : healthPort}`;
  return new Child(
    name,
    denoArgs(stage, args),
    { ...env, HEALTH_PORT: String(healthPort) },
    `${logDir}/${name}.log`,
    healthUrl,
    stage.health || isDashboard,
  );
}
