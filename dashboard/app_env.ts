/** What the middleware puts on every request's context for the routes to read. */
import type { LiveState } from "./live_state.ts";
import type { TopicFollowers } from "./consumers.ts";

export interface DashboardContext {
  live: LiveState;
  followers: Pick<TopicFollowers, "health">;
}

export type AppEnv = { Variables: { dashboard: DashboardContext } };
