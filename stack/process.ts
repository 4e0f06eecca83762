/** Detached service processes: spawn with a log file, pid files, liveness, group stop, RSS. */

export interface SpawnSpec {
  cmd: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  logFile: string;
}

/**
 * Starts a command in its own session (so its pid is also its process group), appending its
 * output to `logFile`. Returns the pid; the process outlives this one.
 */
export function spawnDetached(spec: SpawnSpec): number {
  // The shell only redirects and then becomes the command itself.
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'log="$1"; shift; exec "$@" >>"$log" 2>&1',
      "sh",
      spec.logFile,
      spec.cmd,
      ...spec.args,
    ],
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  return child.pid;
}

export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(pidFile)).split("\n")[0].trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

interface ProcessRow {
  pid: number;
  pgid: number;
  state: string;
  rssKiB: number;
}

/** Every process, from `ps` (Deno reads /proc/<pid> only with all permissions). */
export function processTable(): ProcessRow[] {
  const output = new Deno.Command("ps", {
    args: ["-e", "-o", "pid=,pgid=,stat=,rss="],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  return new TextDecoder().decode(output.stdout).split("\n").flatMap((line) => {
    const [pid, pgid, state, rss] = line.trim().split(/\s+/);
    if (!pid) return [];
    return [{ pid: Number(pid), pgid: Number(pgid), state, rssKiB: Number(rss) }];
  });
}

export function isAlive(pid: number): boolean {
  return processTable().some((p) => p.pid === pid && !p.state.startsWith("Z"));
}

/** Live processes whose process group is `pgid`. */
export function groupMembers(pgid: number): number[] {
  return processTable().filter((p) => p.pgid === pgid && !p.state.startsWith("Z"))
    .map((p) => p.pid);
}

function signalGroup(pgid: number, signal: Deno.Signal): void {
  for (const target of [-pgid, pgid]) {
    try {
      Deno.kill(target, signal);
      return;
    } catch {
      // group already gone, or the pid no longer leads a group: try the pid itself
    }
  }
}

/**
 * Stops a process and its whole group: `signal` first, SIGKILL after `timeoutMs`.
 * Resolves once no member of the group is left.
 */
export async function stopGroup(
  pgid: number,
  signal: Deno.Signal = "SIGTERM",
  timeoutMs = 15_000,
): Promise<"stopped" | "killed"> {
  signalGroup(pgid, signal);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pgid) && groupMembers(pgid).length === 0) return "stopped";
    await new Promise((r) => setTimeout(r, 100));
  }
  signalGroup(pgid, "SIGKILL");
  for (const member of groupMembers(pgid)) {
    try {
      Deno.kill(member, "SIGKILL");
    } catch {
      // already exited
    }
  }
  while (isAlive(pgid) || groupMembers(pgid).length > 0) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return "killed";
}

/** Resident memory of a process and its group in MiB, or undefined when gone. */
export function groupRssMiB(pgid: number): number | undefined {
  const rows = processTable().filter((p) => p.pid === pgid || p.pgid === pgid);
  if (rows.length === 0) return undefined;
  return Math.round(rows.reduce((sum, p) => sum + p.rssKiB, 0) / 1024);
}

/** True when something accepts TCP connections on host:port. */
export async function isListening(host: string, port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: host, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return check();
}
