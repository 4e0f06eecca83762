import type { Context } from "hono";
import type { AppEnv } from "../../dashboard/app_env.ts";

/** The current state as JSON, with the id of the last delta it includes. */
export function handler(c: Context<AppEnv>): Response {
  const { live } = c.get("dashboard");
  return c.json({ id: live.hub.lastEventId, state: live.snapshot() }, 200, {
    "Cache-Control": "no-store",
  });
}
