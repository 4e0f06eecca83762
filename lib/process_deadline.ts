/** Waiting on a child process for a bounded time: one still running past it is SIGKILLed. */

/**
 * Waits until `exited` settles or `timeoutMs` pass; in the latter case SIGKILLs `child` and
 * waits for it to end. Says whether it had to kill.
 */
export async function killAfter<T>(
  exited: Promise<T>,
  child: Pick<Deno.ChildProcess, "kill">,
  timeoutMs: number,
): Promise<{ value: T; killed: boolean }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<typeof TIME_UP>((resolve) => {
    timer = setTimeout(() => resolve(TIME_UP), timeoutMs);
  });
  const outcome = await Promise.race([exited, timeUp]).finally(() => clearTimeout(timer));
  if (outcome !== TIME_UP) return { value: outcome as T, killed: false };
  signal(child, "SIGKILL");
  return { value: await exited, killed: true };
}

/** Sends `name` to a process that may have ended already. */
export function signal(child: Pick<Deno.ChildProcess, "kill">, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // already gone
  }
}

const TIME_UP = Symbol("time up");
