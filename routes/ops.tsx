import type { Context } from "hono";
import { renderToString } from "preact-render-to-string";
import type { AppEnv } from "../dashboard/app_env.ts";
import type { OpsView } from "../dashboard/ops_view.ts";
import App from "./_app.tsx";
import OpsBoard from "../islands/OpsBoard.tsx";

/** The ops page: every stage's state, lag and throughput, embedded for the island to poll on. */
export function renderOpsPage(view: OpsView): string {
  const props = { initial: view };
  return "<!DOCTYPE html>" + renderToString(
    <App>
      <link rel="stylesheet" href="/static/ops.css" />
      <nav class="ops-nav">
        <a href="/">&larr; Trains</a>
        <h2 class="ops-title">Operations</h2>
      </nav>
      <div id="ops-board">
        <OpsBoard {...props} />
      </div>
      <script type="application/json" id="ops-state">{JSON.stringify(props)}</script>
    </App>,
  );
}

export function handler(c: Context<AppEnv>): Response {
  const { ops } = c.get("dashboard");
  return c.html(renderOpsPage(ops.view()), 200, { "Cache-Control": "no-store" });
}
