import type { Context } from "hono";
import { renderToString } from "preact-render-to-string";
import type { AppEnv } from "../dashboard/app_env.ts";
import type { DashboardState } from "../dashboard/state.ts";
import App from "./_app.tsx";
import TransitBoard from "../islands/TransitBoard.tsx";
import { DEFAULT_FRESHNESS, type FreshnessPolicy } from "../dashboard/freshness.ts";

/** The page with the current state rendered, and embedded for the island to hydrate from. */
export function renderPage(
  state: DashboardState,
  renderedAt: number,
  freshness: FreshnessPolicy = DEFAULT_FRESHNESS,
): string {
  const props = { initial: state, renderedAt, freshness };
  return "<!DOCTYPE html>" + renderToString(
    <App alerts={state.alerts}>
      <div id="transit-board">
        <TransitBoard {...props} />
      </div>
      <script type="application/json" id="transit-state">{JSON.stringify(props)}</script>
    </App>,
  );
}

/** Waits (up to a bound) for the topics to be replayed, so that the first render is current. */
export async function handler(c: Context<AppEnv>): Promise<Response> {
  const { live } = c.get("dashboard");
  await live.whenReplayed();
  const html = renderPage(live.snapshot(), Date.now(), live.freshness);
  return c.html(html, 200, { "Cache-Control": "no-store" });
}
