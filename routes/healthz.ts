import type { Context } from "hono";
import type { AppEnv } from "../dashboard/app_env.ts";

/**
 * Each consumer's health (connected, subscribed or waiting, caught up) and lag, what the state is
 * still being replayed from, and the SSE fan-out.
 */
export async function handler(c: Context<AppEnv>): Promise<Response> {
  const { live, followers } = c.get("dashboard");
  const health = await followers.health();
  const sse = {
    clients: live.hub.clientCount,
    lastEventId: live.hub.lastEventId,
    ...live.hub.stats,
  };
  return c.json({ ...health, replaying: live.replaying, sse }, health.ok ? 200 : 503, {
    "Cache-Control": "no-store",
  });
}
