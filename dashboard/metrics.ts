/**
 * The dashboard's Prometheus metrics, built at each scrape from what /healthz reports: records
 * read and undecodable per topic, lag, readiness and the SSE fan-out.
 */
import client from "prom-client";
import { StageMetrics } from "../lib/metrics.ts";
import type { DashboardHealth } from "./consumers.ts";

export interface FanOut {
  clients: number;
  stats: { deltas: number; droppedDeltas: number; droppedClients: number; snapshots: number };
}

/** Ready: every input consumer subscribed and caught up, and nothing held back for a replay. */
export function dashboardReady(health: DashboardHealth, replaying: readonly string[]): boolean {
  return health.ok && replaying.length === 0 && health.waitingTopics.length === 0 &&
    health.consumers.every((c) => c.status === "subscribed" && c.caughtUp);
}

export async function dashboardMetrics(
  health: DashboardHealth,
  replaying: readonly string[],
  fanOut: FanOut,
): Promise<{ body: string; contentType: string }> {
  const metrics = new StageMetrics("dashboard");
  const registers = [metrics.registry];
  for (const consumer of health.consumers) {
    metrics.recordsIn.inc({ topic: consumer.topic }, consumer.records);
    if (consumer.undecodable > 0) {
      metrics.deadLetters.inc({ topic: consumer.topic }, consumer.undecodable);
    }
    if (consumer.lag !== null) {
      metrics.consumerLag.set({ topic: consumer.topic, partition: "all" }, consumer.lag);
    }
  }
  metrics.ready.set(dashboardReady(health, replaying) ? 1 : 0);
  new client.Gauge({ name: "cta_sse_clients", help: "Browsers connected.", registers })
    .set(fanOut.clients);
  const totals: [string, string, number][] = [
    ["cta_sse_deltas_total", "Deltas sent to browsers.", fanOut.stats.deltas],
    ["cta_sse_snapshots_total", "Snapshots sent to browsers.", fanOut.stats.snapshots],
    [
      "cta_sse_dropped_deltas_total",
      "Deltas dropped for a browser whose queue was full.",
      fanOut.stats.droppedDeltas,
    ],
    [
      "cta_sse_dropped_clients_total",
      "Browsers disconnected because their queue stayed full.",
      fanOut.stats.droppedClients,
    ],
  ];
  for (const [name, help, value] of totals) {
    new client.Counter({ name, help, registers }).inc(value);
  }
  return await metrics.scrape();
}
