/** Formatting of benchmark figures, and the machine load printed beside each of them. */

/** `load 1.23 0.98 0.75`: the 1, 5 and 15 minute load averages. */
export function loadAverage(): string {
  return `load ${Deno.loadavg().map((n) => n.toFixed(2)).join(" ")}`;
}

/** 1000000 → `1,000,000`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Events per second, compact: `102k events/s`. */
export function rate(events: number, seconds: number): string {
  const perSecond = events / seconds;
  return perSecond >= 10_000
    ? `${Math.round(perSecond / 1000)}k events/s`
    : `${Math.round(perSecond)} events/s`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `n=600 p50=39.3 ms p99=146.0 ms max=207.7 ms` of latencies in milliseconds. */
export function latencySummary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1);
  return `n=${sorted.length} p50=${f(percentile(sorted, 50))} ms p99=${
    f(percentile(sorted, 99))
  } ms max=${f(sorted.at(-1) ?? NaN)} ms`;
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ). */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * A file of /proc/<pid>/. Deno reserves /proc to --allow-all, so it is read through `cat`,
 * which needs only permission to run that one program.
 */
export function procFile(pid: number, name: string): string {
  const { stdout } = new Deno.Command("cat", { args: [`/proc/${pid}/${name}`] }).outputSync();
  return new TextDecoder().decode(stdout);
}

/** utime + stime of a process, in clock ticks, from /proc/<pid>/stat. */
export function cpuTicks(pid: number): number {
  const stat = procFile(pid, "stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
