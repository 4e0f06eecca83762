/** The dashboard's lifecycle: state, Kafka consumers, HTTP server, and a clean shutdown. */
import type { Hono } from "hono";
import type { Config } from "../lib/config.ts";
import type { AppEnv, DashboardContext } from "./app_env.ts";
import { TopicFollowers } from "./consumers.ts";
import { LiveState } from "./live_state.ts";
import { logger } from "../lib/log.ts";

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
  const app = createApp({ live, followers });
  const { host, port } = config.dashboard;
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
