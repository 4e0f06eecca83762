/** The dashboard's lifecycle: state, Kafka consumers, HTTP server, and a clean shutdown. */
import type { Hono } from "hono";
import type { Config } from "../lib/config.ts";
import type { AppEnv, DashboardContext } from "./app_env.ts";
import { TopicFollowers } from "./consumers.ts";
import { LiveState } from "./live_state.ts";
import { logger } from "../lib/log.ts";
import { dashboardMetrics, dashboardReady } from "./metrics.ts";
import { OpsScraper } from "./ops_scraper.ts";

export interface RunningDashboard {
  url: string;
  live: LiveState;
  shutdown(): Promise<void>;
}

export function startDashboard(
  config: Config,
  createApp: (dashboard: DashboardContext) => Hono<AppEnv>,
): RunningDashboard {
  const live = new LiveState({
    maxClients: config.dashboard.maxSseClients,
    freshness: config.dashboard.trainFreshness,
  });
  const followers = new TopicFollowers(config, live);
  followers.start();
  live.hub.startHeartbeat();
  const { host, port } = config.dashboard;
  const ops = new OpsScraper(config.opsTargets, async () => {
    const health = await followers.health();
    const fanOut = { clients: live.hub.clientCount, stats: live.hub.stats };
    return {
      live: health.ok,
      ready: dashboardReady(health, live.replaying),
      metrics: (await dashboardMetrics(health, live.replaying, fanOut)).body,
    };
  }, { selfUrl: `http://${host}:${port}` });
  ops.start();
  const app = createApp({ live, followers, ops });
  let url = "";
  const server = Deno.serve({
    hostname: host,
    port,
    onListen: (addr) => {
      url = `http://${addr.hostname}:${addr.port}`;
      logger("dashboard").info(
        `Transit Status dashboard on ${url} (bound to ${addr.hostname} only)`,
      );
    },
  }, app.fetch);
  return {
    get url() {
      return url || `http://${host}:${server.addr.port}`;
    },
    live,
    async shutdown() {
      live.close();
      await ops.stop();
      await followers.stop();
      await server.shutdown();
    },
  };
}

/** Runs until SIGINT or SIGTERM, then closes streams and consumers before exiting. */
export function runUntilSignal(dashboard: RunningDashboard): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    logger("dashboard").info("shutting down");
    await dashboard.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
