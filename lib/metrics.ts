/**
 * A stage's Prometheus metrics, served at /metrics beside /healthz and /readyz. Every stage
 * uses the same names, labelled with the stage, so that one dashboard query covers them all.
 */
import client from "prom-client";

/** Seconds: a transaction takes milliseconds, a restore up to a minute. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class StageMetrics {
  readonly registry = new client.Registry();
  readonly recordsIn: client.Counter<"topic">;
  readonly recordsOut: client.Counter<"topic">;
  readonly deadLetters: client.Counter<"topic">;
  readonly transactions: client.Counter<"outcome">;
  readonly transactionSeconds: client.Histogram;
  readonly restoreSeconds: client.Histogram;
  readonly consumerLag: client.Gauge<"topic" | "partition">;
  readonly ready: client.Gauge;
  readonly groupJoins: client.Counter;

  constructor(stage: string) {
    this.registry.setDefaultLabels({ stage });
    const registers = [this.registry];
    const perTopic = (name: string, help: string) =>
      new client.Counter({ name, help, labelNames: ["topic"], registers });
    this.recordsIn = perTopic("cta_records_in_total", "Input records processed and committed.");
    this.recordsOut = perTopic(
      "cta_records_out_total",
      "Output records written in committed transactions.",
    );
    this.deadLetters = perTopic(
      "cta_dead_letters_total",
      "Input records sent to a dead-letter topic.",
    );
    this.transactions = new client.Counter({
      name: "cta_transactions_total",
      help: "Transactions ended, by outcome (committed or aborted).",
      labelNames: ["outcome"],
      registers,
    });
    this.transactionSeconds = new client.Histogram({
      name: "cta_transaction_seconds",
      help: "Time from the start of a transaction to its commit.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.restoreSeconds = new client.Histogram({
      name: "cta_restore_seconds",
      help: "Time to fence a task's earlier owners and restore its state.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.consumerLag = new client.Gauge({
      name: "cta_consumer_lag",
      help: "Records between a partition's high watermark and the last batch fetched from it.",
      labelNames: ["topic", "partition"],
      registers,
    });
    this.groupJoins = new client.Counter({
      name: "cta_group_joins_total",
      help: "Assignments received from the consumer group (each join or rejoin).",
      registers,
    });
    this.ready = new client.Gauge({
      name: "cta_ready",
      help: "1 when every assigned partition is held and caught up (what /readyz answers).",
      registers,
    });
  }

  /** The exposition text and its content type, for the health server. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

/** The sum of a metric's samples in an exposition (0 when absent): for waiting on a stage. */
export function metricValue(exposition: string, name: string): number {
  let total = 0;
  for (const line of exposition.split("\n")) {
    const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)$/);
    if (match && match[1] === name) total += Number(match[2]);
  }
  return total;
}

/** A metric of a running stage, read from its /metrics; null when it does not answer. */
export async function readMetric(healthUrl: string, name: string): Promise<number | null> {
  try {
    const response = await fetch(`${healthUrl}/metrics`, { signal: AbortSignal.timeout(1_000) });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    return metricValue(await response.text(), name);
  } catch {
    return null;
  }
}
