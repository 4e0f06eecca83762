/** A child process whose output is kept (the last lines) and which is stopped by a signal. */
import { killAfter, signal } from "../lib/process_deadline.ts";

export interface Child {
  readonly pid: number;
  /** The last lines it printed, stdout and stderr together. */
  output(): string;
  readonly exited: Promise<number>;
  /** Sends `signal`, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(signal?: Deno.Signal, graceMs?: number): Promise<number>;
}

const KEPT_CHARS = 400_000;

export function watch(child: Deno.ChildProcess): Child {
  let text = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text = (text + decoder.decode(chunk, { stream: true })).slice(-KEPT_CHARS);
    }
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
    async stop(name: Deno.Signal = "SIGTERM", graceMs = 15_000) {
      signal(child, name);
      return (await killAfter(exited, child, graceMs)).value;
    },
  };
}
