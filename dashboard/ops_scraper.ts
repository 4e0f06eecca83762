/**
 * Scrapes every ops target's /healthz, /readyz and /metrics on an interval (the dashboard
 * itself in-process) into an OpsHistory, for the /ops page.
 */
import { OPS_SELF, type OpsTarget } from "../lib/config.ts";
import { OpsHistory, type Probe, readProbe, SCRAPE_INTERVAL_MS, WINDOW_MS } from "./ops.ts";
import type { OpsView } from "./ops_view.ts";

/** The dashboard's own health and metrics, read without a request to itself. */
export type SelfProbe = () => Promise<{ live: boolean; ready: boolean; metrics: string }>;

export interface OpsScraperOptions {
  intervalMs?: number;
  windowMs?: number;
  /** Per request. */
  timeoutMs?: number;
  /** Where the dashboard reads itself, as shown on the page. */
  selfUrl?: string;
}

/** One scrape of a health server; what did not answer is null, with the reason. */
export async function probeHttp(baseUrl: string, timeoutMs: number): Promise<Probe> {
  const atMs = Date.now();
  const get = async (path: string) => {
    const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, text: await response.text() };
  };
  let healthz: number;
  try {
    healthz = (await get("/healthz")).status;
  } catch (error) {
    return { atMs, healthz: null, readyz: null, metrics: null, error: reason(error) };
  }
  const [readyz, metrics] = await Promise.allSettled([get("/readyz"), get("/metrics")]);
  const metricsOk = metrics.status === "fulfilled" && metrics.value.status === 200;
  return {
    atMs,
    healthz,
    readyz: readyz.status === "fulfilled" ? readyz.value.status : null,
    metrics: metricsOk ? metrics.value.text : null,
    error: metrics.status === "rejected"
      ? `/metrics: ${reason(metrics.reason)}`
      : metricsOk
      ? undefined
      : `/metrics answered ${metrics.value.status}`,
  };
}

function reason(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "timed out";
  const message = error instanceof Error ? error.message : String(error);
  // Deno's connection errors carry the whole request line; the first clause says enough.
  return message.replace(/^error sending request for url \([^)]*\): /, "").split(": ")[0];
}

export class OpsScraper {
  readonly history: OpsHistory;
  readonly #targets: readonly OpsTarget[];
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    targets: readonly OpsTarget[],
    readonly self: SelfProbe,
    options: OpsScraperOptions = {},
  ) {
    const selfTarget = { name: OPS_SELF, url: options.selfUrl ?? "(this process)" };
    this.#targets = targets;
    this.#intervalMs = options.intervalMs ?? SCRAPE_INTERVAL_MS;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.history = new OpsHistory(
      // The stages in the order given, the dashboard at the end of the flow.
      [...targets, selfTarget],
      options.windowMs ?? WINDOW_MS,
      this.#intervalMs,
    );
  }

  /** Scrapes now, then every interval, until stop(). */
  start(): void {
    const tick = async () => {
      this.#running = this.scrapeOnce();
      await this.#running;
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#intervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Every target at once; each one's reading is added when it has answered or timed out. */
  async scrapeOnce(): Promise<void> {
    await Promise.all([
      this.#probeSelf().then((probe) => this.history.add(OPS_SELF, readProbe(probe))),
      ...this.#targets.map(async (target) => {
        const probe = await probeHttp(target.url, this.#timeoutMs);
        this.history.add(target.name, readProbe(probe));
      }),
    ]);
  }

  view(nowMs = Date.now()): OpsView {
    return this.history.view(nowMs);
  }

  async #probeSelf(): Promise<Probe> {
    const atMs = Date.now();
    try {
      const { live, ready, metrics } = await this.self();
      return { atMs, healthz: live ? 200 : 503, readyz: live && ready ? 200 : 503, metrics };
    } catch (error) {
      return { atMs, healthz: 503, readyz: 503, metrics: null, error: reason(error) };
    }
  }
}
