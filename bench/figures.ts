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
