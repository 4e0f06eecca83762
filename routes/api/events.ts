import type { Context } from "hono";
import type { AppEnv } from "../../dashboard/app_env.ts";
import { sseStream } from "../../dashboard/live_state.ts";

/**
 * Live updates: `retry:`, a snapshot (or the missed deltas on resume), then deltas. While the
 * topics are still being replayed, the snapshot waits until they have caught up.
 */
export function handler(c: Context<AppEnv>): Response {
  const { hub } = c.get("dashboard").live;
  if (!hub.hasRoom()) {
    return c.text("Too many live connections, try again shortly", 503, { "Retry-After": "10" });
  }
  const lastEventId = c.req.header("Last-Event-ID") ?? c.req.query("lastEventId") ?? null;
  return new Response(sseStream(hub, lastEventId), {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    },
  });
}
