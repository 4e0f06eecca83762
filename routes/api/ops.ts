import type { Context } from "hono";
import type { AppEnv } from "../../dashboard/app_env.ts";

/** Every stage's state, lag and throughput over the window, as the ops page polls it. */
export function handler(c: Context<AppEnv>): Response {
  const { ops } = c.get("dashboard");
  return c.json(ops.view(), 200, { "Cache-Control": "no-store" });
}
