/** The stations stage SIGKILLed and restarted. */
import type { Child } from "../processes.ts";
import type { Run } from "../run.ts";
import { STAGES } from "../../lib/stages.ts";

/** Replaces `stages.stations` with the restarted instance. */
export async function stationsKill(
  run: Run,
  stages: { stations: Child },
  startMs: number,
): Promise<void> {
  await run.sleepUntil(startMs);
  const at = run.elapsed;
  await stages.stations.kill("SIGKILL");
  stages.stations = run.start("stations-2", STAGES.stations);
  const back = await stages.stations.waitReady(120_000).then(
    () => run.elapsed - at,
    () => undefined,
  );
  run.record("SIGKILL stations stage", at, back, "restarted, caught up with its input");
}
