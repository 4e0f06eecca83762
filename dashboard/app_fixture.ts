/** A dashboard app over an in-memory live state and healthy Kafka followers, for route tests. */
import { createApp } from "../main.ts";
import type { DashboardContext } from "./app_env.ts";
import { LiveState } from "./live_state.ts";
import { OpsHistory } from "./ops.ts";

export function testApp(
  options: { maxClients?: number; ops?: DashboardContext["ops"] } = {},
) {
  const live = new LiveState({ maxClients: options.maxClients ?? 5, windowMs: 5 });
  const followers = {
    health: () =>
      Promise.resolve({
        ok: true,
        kafkaError: null,
        subscribedTopics: [],
        waitingTopics: [],
        consumers: [],
      }),
  };
  const empty = new OpsHistory([]);
  const ops = options.ops ?? { view: () => empty.view(Date.now()) };
  return { app: createApp({ live, followers, ops }), live };
}
