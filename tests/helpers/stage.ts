/** Pipeline stages as real subprocesses, the way a user runs them, for integration tests. */
import { freePort, pollReady } from "../../lib/health.ts";
import { denoArgs, launchCommand, type StageSpec } from "../../lib/stages.ts";
import { killAfter, signal } from "../../lib/process_deadline.ts";

const ROOT = new URL("../../", import.meta.url);

export interface StageProcess {
  readonly pid: number;
  /** Its /healthz and /readyz, for stages that serve them. */
  readonly healthUrl: string;
  /** Resolves once /readyz answers 200; rejects after `timeoutMs` with the stage's output. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Everything the stage printed so far. */
  output(): string;
  /**
   * Sends a signal and waits for the process to end; returns its exit code. A process still
   * running `timeoutMs` after the signal is SIGKILLed and the call rejects with its output.
   */
  kill(signal?: Deno.Signal, timeoutMs?: number): Promise<number>;
  /**
   * Waits for the process to end by itself and returns its exit code. A process still running
   * after `timeoutMs` is SIGKILLed and the call rejects with its output.
   */
  exitWithin(timeoutMs: number): Promise<number>;
  /** Resolves with the exit code when the process ends, however long that takes. */
  exited: Promise<number>;
}

/**
 * Starts a stage as its deno.json task does (`deno run -P=<set> <script> ...args`) from the
 * repository root, with the namespace of the test and a health port of its own; with `asStart`,
 * as `deno task start` does (a background stage in a session of its own, at a lower CPU weight).
 */
export function startStage(
  stage: StageSpec,
  args: string[],
  env: Record<string, string>,
  { asStart = false }: { asStart?: boolean } = {},
): StageProcess {
  const healthPort = env.HEALTH_PORT ?? String(freePort());
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  const command = asStart
    ? launchCommand(stage, args, "deno")
    : { cmd: "deno", args: denoArgs(stage, args), detached: false };
  const child = new Deno.Command(command.cmd, {
    args: command.args,
    detached: command.detached,
    cwd: ROOT,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: "1", HEALTH_PORT: healthPort, ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const exited = child.status.then(async (status) => {
    await drained;
    return status.code;
  });
  let ended = false;
  exited.then(() => (ended = true));
  return {
    pid: child.pid,
    healthUrl,
    async waitReady(timeoutMs = 60_000) {
      if (await pollReady(healthUrl, timeoutMs, () => !ended)) return;
      throw new Error(
        `${stage.task} was not ready after ${timeoutMs} ms${ended ? " (it exited)" : ""}:\n${text}`,
      );
    },
    output: () => text,
    exited,
    exitWithin: (timeoutMs) =>
      endWithin(
        exited,
        child,
        timeoutMs,
        () => `${stage.task} still ran after ${timeoutMs} ms`,
        () => text,
      ),
    kill(name: Deno.Signal = "SIGTERM", timeoutMs = 60_000) {
      signal(child, name);
      const late = () => `${stage.task} still ran ${timeoutMs} ms after ${name}`;
      return endWithin(exited, child, timeoutMs, late, () => text);
    },
  };
}

/**
 * Waits until `exited` settles. A process still running after `timeoutMs` is SIGKILLed, and the
 * call rejects with `late()` and what the process printed: a test never waits on a hung process.
 */
export async function endWithin<T>(
  exited: Promise<T>,
  child: Pick<Deno.ChildProcess, "kill">,
  timeoutMs: number,
  late: () => string,
  printed: () => string = () => "",
): Promise<T> {
  const { value, killed } = await killAfter(exited, child, timeoutMs);
  if (killed) throw new Error(`${late()}; SIGKILLed. It printed:\n${printed()}`);
  return value;
}

/**
 * Sends a signal to any process, through kill(1): the tests may run `kill`, not signal at
 * large (Deno.kill needs unrestricted run permission).
 */
export async function sendSignal(pid: number, signal: Deno.Signal): Promise<void> {
  const { code, stderr } = await new Deno.Command("kill", {
    args: ["-s", signal.replace(/^SIG/, ""), String(pid)],
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`kill -s ${signal} ${pid}: ${new TextDecoder().decode(stderr)}`);
}
