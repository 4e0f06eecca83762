/** The turnstile summary SIGKILLed again and again on a seeded schedule, restarted each time. */
import type { Random } from "../../pipeline/sim/prng.ts";
import type { Child } from "../processes.ts";
import { killSchedule } from "../report.ts";
import { type Run, say } from "../run.ts";
import { STAGES } from "../../lib/stages.ts";

/**
 * Kills `slot.child` `options.summaryKills` times while the simulation that started at
 * `simStartedMs` runs, replacing it with a fresh instance each time.
 */
export async function summaryKills(
  run: Run,
  slot: { child: Child },
  random: Random,
  simStartedMs: number,
): Promise<void> {
  const { options } = run;
  const duration = options.steps * options.stepSeconds * 1000;
  const schedule = killSchedule(
    () => random.next(),
    options.summaryKills,
    2000,
    Math.max(duration, options.summaryKills * 2500),
    2000,
  );
  for (const [n, moment] of schedule.entries()) {
    await run.sleepUntil(simStartedMs + moment);
    await killSummary(run, slot, n);
  }
}

async function killSummary(run: Run, slot: { child: Child }, n: number): Promise<void> {
  const at = run.elapsed;
  await slot.child.kill("SIGKILL");
  slot.child = run.start(`summary-a-${n + 1}`, STAGES.summary);
  let recovered: number | undefined;
  try {
    // Counting again: rejoined, fenced the killed instance's producers and restored a task.
    recovered = await slot.child.waitReady(60_000);
  } catch (error) {
    say(`summary restart ${n + 1}: ${(error as Error).message}`);
  }
  run.record(
    `SIGKILL turnstile summary (${n + 1}/${run.options.summaryKills})`,
    at,
    recovered === undefined ? undefined : run.elapsed - at,
    recovered === undefined ? "restart did not rejoin" : "restarted, counting again",
  );
}
