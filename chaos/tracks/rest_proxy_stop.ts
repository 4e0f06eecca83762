/** The REST proxy stopped for 10 s while the weather producer posts through it. */
import type { Child } from "../processes.ts";
import { type Run, sleep } from "../run.ts";

export async function restProxyStop(run: Run, sim: Child, startMs: number): Promise<void> {
  await run.sleepUntil(startMs);
  const at = run.elapsed;
  const failures = () => (sim.output().match(/weather: POST .* failed/g) ?? []).length;
  const before = failures();
  await run.stopStackService("rest-proxy");
  await sleep(10_000);
  await run.stack("up", "rest-proxy");
  const retries = failures() - before;
  run.record(
    "REST proxy stopped for 10 s",
    at,
    run.elapsed - at,
    `weather producer logged ${retries} retr${retries === 1 ? "y" : "ies"}`,
  );
}
