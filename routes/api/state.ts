import type { Context } from "hono";
import type { AppEnv } from "../../dashboard/app_env.ts";

/**
 * The current state as JSON, with the id of the last delta it includes. While the topics are
 * still being replayed the answer waits for them (up to a bound), so that it is never a partial
 * replay presented as current; `replaying` says whether it still is one.
 */
export async function handler(c: Context<AppEnv>): Promise<Response> {
  const { live } = c.get("dashboard");
  await live.whenReplayed();
  const state = live.snapshot();
  return c.json({ id: live.hub.lastEventId, replaying: live.replaying.length > 0, state }, 200, {
    "Cache-Control": "no-store",
  });
}
