/** The schema registry SIGKILLed and restarted 15 s later. */
import { type Run, sleep } from "../run.ts";

export async function registryKill(run: Run, startMs: number): Promise<void> {
  await run.sleepUntil(startMs);
  const at = run.elapsed;
  await run.stopStackService("registry", "SIGKILL");
  await sleep(15_000);
  await run.stack("up", "registry");
  run.record(
    "schema registry SIGKILLed, restarted after 15 s",
    at,
    run.elapsed - at,
    "healthy again; the DLQ check below shows no good record dead-lettered",
  );
}
