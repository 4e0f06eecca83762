/** The dashboard server restarted; the SSE reader must reconnect by itself. */
import type { Child } from "../processes.ts";
import type { Run } from "../run.ts";
import type { SseReader } from "../sse_client.ts";
import { waitUntil } from "../observe.ts";
import { STAGES } from "../../lib/stages.ts";

/** Replaces `stages.dashboard` with the restarted server. */
export async function dashboardRestart(
  run: Run,
  stages: { dashboard: Child },
  sse: SseReader,
  startMs: number,
): Promise<void> {
  await run.sleepUntil(startMs);
  const at = run.elapsed;
  const connectionsBefore = sse.connections;
  await stages.dashboard.kill("SIGTERM");
  stages.dashboard = run.start("dashboard-2", STAGES.dashboard);
  const back = await waitUntil(
    () => Promise.resolve(sse.connections > connectionsBefore && sse.lastEventAt > at),
    120_000,
  );
  run.record(
    "dashboard server restarted",
    at,
    back ? run.elapsed - at : undefined,
    back
      ? `SSE reader reconnected by itself (${sse.connections} connections, ${sse.snapshots} snapshots)`
      : "SSE reader did not reconnect",
  );
}
