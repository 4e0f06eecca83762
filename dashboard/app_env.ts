/** What the middleware puts on every request's context for the routes to read. */
import type { LiveState } from "./live_state.ts";
import type { TopicFollowers } from "./consumers.ts";
import type { OpsScraper } from "./ops_scraper.ts";

export interface DashboardContext {
  live: LiveState;
  followers: Pick<TopicFollowers, "health">;
  /** Every stage's state, lag and throughput over the last minutes, for /ops. */
  ops: Pick<OpsScraper, "view">;
}

export type AppEnv = { Variables: { dashboard: DashboardContext } };
