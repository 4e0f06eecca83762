/** How a long-running stage lives and ends: progress lines, clean stop on SIGINT and SIGTERM. */

export interface Stoppable {
  readonly stats: object;
  /** Resolves with the error when the stage has failed for good. */
  readonly failed: Promise<Error>;
  stop(): Promise<void>;
}

/**
 * Runs until SIGINT or SIGTERM (then stops cleanly and exits 0) or until the stage fails (then
 * prints one line and exits 1). Prints the stage's stats every `progressMs` while they change.
 */
export async function runUntilSignal(
  stage: Stoppable,
  name: string,
  progressMs = 5_000,
): Promise<never> {
  let last = "";
  const progress = setInterval(() => {
    const now = JSON.stringify(stage.stats);
    if (now !== last) console.log(`${name}: ${now}`);
    last = now;
  }, progressMs);
  const stopped = new Promise<number>((resolve) => {
    // A terminal's Ctrl+C reaches a whole process group, and a supervisor may add its own
    // SIGTERM: the second signal is expected and ignored; a third one forces the exit.
    let signals = 0;
    const onSignal = async () => {
      signals++;
      if (signals === 3) {
        console.error(`${name}: third signal, exiting without a clean stop`);
        Deno.exit(130);
      }
      if (signals > 1) return;
      console.log(`${name}: stopping`);
      await stage.stop();
      console.log(`${name}: stopped ${JSON.stringify(stage.stats)}`);
      resolve(0);
    };
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
  });
  const failed = stage.failed.then(async (error) => {
    console.error(`${name}: failed: ${error.message}`);
    await stage.stop().catch(() => {});
    return 1;
  });
  const code = await Promise.race([stopped, failed]);
  clearInterval(progress);
  Deno.exit(code);
}
