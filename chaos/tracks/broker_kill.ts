/** On a cluster, the broker leading the turnstile partitions SIGKILLed and restarted 10 s later. */
import { readPid } from "../../stack/process.ts";
import { pidFile } from "../../stack/service.ts";
import { stepsDone, turnstileLeader } from "../observe.ts";
import type { Child } from "../processes.ts";
import { type Run, sleep } from "../run.ts";

/** Does nothing on a single broker. */
export async function brokerKill(run: Run, sim: Child, startMs: number): Promise<void> {
  if (run.options.brokers < 2) return;
  await run.sleepUntil(startMs);
  const leader = await turnstileLeader(run);
  const at = run.elapsed;
  const stepsBefore = stepsDone(sim);
  const pid = await readPid(pidFile(run.settings, `kafka-${leader}`));
  if (pid === undefined) throw new Error(`no pid for kafka-${leader}`);
  Deno.kill(pid, "SIGKILL");
  await sleep(10_000);
  await run.stack("up", `kafka-${leader}`);
  const steps = stepsDone(sim) - stepsBefore;
  run.record(
    `SIGKILL broker ${leader} (leader of the turnstile partitions), restart after 10 s`,
    at,
    run.elapsed - at,
    `simulation completed ${steps} steps until it was back${sim.running ? "" : " (and ended)"}`,
  );
}
