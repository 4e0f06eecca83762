/** Pipeline stages as real subprocesses, the way a user runs them, for integration tests. */

const ROOT = new URL("../../", import.meta.url);

export interface StageProcess {
  readonly pid: number;
  /** Everything the stage printed so far. */
  output(): string;
  /** Sends a signal and waits for the process to end; returns its exit code. */
  kill(signal?: Deno.Signal): Promise<number>;
  /** Waits for the process to end by itself. */
  exited: Promise<number>;
}

/**
 * Starts `deno run -P=client <script> ...args` from the repository root with the namespace of
 * the test in its environment.
 */
export function startStage(
  script: string,
  args: string[],
  env: Record<string, string>,
): StageProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=client", script, ...args],
    cwd: ROOT,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: "1", ...env },
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
  return {
    pid: child.pid,
    output: () => text,
    exited,
    async kill(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      return await exited;
    },
  };
}
