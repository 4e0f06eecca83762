import type { Context } from "hono";
import type { AppEnv } from "../dashboard/app_env.ts";
import { dashboardMetrics } from "../dashboard/metrics.ts";

/** Prometheus's text exposition of the dashboard's consumers and SSE fan-out. */
export async function handler(c: Context<AppEnv>): Promise<Response> {
  const { live, followers } = c.get("dashboard");
  const { body, contentType } = await dashboardMetrics(
    await followers.health(),
    live.replaying,
    { clients: live.hub.clientCount, stats: live.hub.stats },
  );
  return c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "no-store" });
}
