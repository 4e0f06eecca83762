import type { Context } from "hono";
import type { AppEnv } from "../dashboard/app_env.ts";
import { dashboardReady } from "../dashboard/metrics.ts";

/** 200 once every input is subscribed and caught up and no replay holds readers back. */
export async function handler(c: Context<AppEnv>): Promise<Response> {
  const { live, followers } = c.get("dashboard");
  const ok = dashboardReady(await followers.health(), live.replaying);
  return c.json({ ok }, ok ? 200 : 503, { "Cache-Control": "no-store" });
}
