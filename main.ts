/** The Transit Status dashboard: `deno task serve`. */
import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { loadConfig } from "./lib/config.ts";
import { stageLogger } from "./lib/log.ts";
import type { AppEnv, DashboardContext } from "./dashboard/app_env.ts";
import { provideDashboard, readOnly, securityHeaders } from "./dashboard/middleware.ts";
import { buildIslands } from "./dashboard/islands_build.ts";
import { runUntilSignal, startDashboard } from "./dashboard/server.ts";
import * as index from "./routes/index.tsx";
import * as events from "./routes/api/events.ts";
import * as state from "./routes/api/state.ts";
import * as healthz from "./routes/healthz.ts";
import * as readyz from "./routes/readyz.ts";
import * as metrics from "./routes/metrics.ts";
import { stationRoutes } from "./routes/stations/station.tsx";
import { type StationPagesContext, stationPagesContext } from "./dashboard/station_pages.ts";
import { PostgresEntriesHistory } from "./dashboard/entries_history.ts";
import * as ops from "./routes/ops.tsx";
import * as opsApi from "./routes/api/ops.ts";
import * as ttArrivals from "./routes/api/1.0/ttarrivals.ts";
import * as ttPositions from "./routes/api/1.0/ttpositions.ts";
import * as ttFollow from "./routes/api/1.0/ttfollow.ts";

export function createApp(
  dashboard: DashboardContext,
  stations: StationPagesContext = stationPagesContext(),
): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use(securityHeaders, readOnly, provideDashboard(dashboard))
    .get("/static/*", serveStatic({ root: "./" }))
    .get("/", index.handler)
    .route("/", stationRoutes(stations))
    .get("/api/events", events.handler)
    .get("/api/state", state.handler)
    .get("/healthz", healthz.handler)
    .get("/readyz", readyz.handler)
    .get("/metrics", metrics.handler)
    .get("/ops", ops.handler)
    .get("/api/ops", opsApi.handler)
    .get("/api/1.0/ttarrivals.aspx", ttArrivals.handler)
    .get("/api/1.0/ttpositions.aspx", ttPositions.handler)
    .get("/api/1.0/ttfollow.aspx", ttFollow.handler);
}

if (import.meta.main) {
  stageLogger("dashboard");
  await buildIslands();
  const config = loadConfig();
  const stations = stationPagesContext(
    new PostgresEntriesHistory(config.postgres, config.historySchema),
  );
  runUntilSignal(startDashboard(config, (dashboard) => createApp(dashboard, stations)));
}
