/** A summary instance SIGSTOPped past its session timeout, then resumed as a zombie. */
import type { Child } from "../processes.ts";
import { waitUntil } from "../observe.ts";
import { type Run, sleep } from "../run.ts";
import { readMetric } from "../../lib/metrics.ts";

export async function sigstopZombie(run: Run, zombie: Child, startMs: number): Promise<void> {
  await run.sleepUntil(startMs);
  const at = run.elapsed;
  const joins = () => readMetric(zombie.healthUrl, "cta_group_joins_total");
  const before = await joins() ?? 0;
  Deno.kill(zombie.pid, "SIGSTOP");
  // Past the 10 s session timeout: the group gives its partitions to the other instance.
  await sleep(15_000);
  Deno.kill(zombie.pid, "SIGCONT");
  const rejoined = await waitUntil(async () => (await joins() ?? 0) > before, 60_000);
  run.record(
    "summary instance SIGSTOPped for 15 s, past its session timeout, then resumed",
    at,
    rejoined ? run.elapsed - at : undefined,
    rejoined ? "resumed zombie was fenced and rejoined the group" : "zombie never rejoined",
  );
}
