/**
 * The chaos run, shortened, on one broker: SIGKILLs of the summary and stations stages, the REST
 * proxy, Kafka Connect, PostgreSQL and the dashboard restarted, then exact counts. It brings up
 * a stack of its own in a temporary directory on shifted ports and wipes it afterwards.
 */
import assert from "node:assert/strict";
import { endWithin } from "./helpers/stage.ts";

Deno.test({
  name: "counts stay exact after ten SIGKILLs of the summary and restarts of every service",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const stackDir = await Deno.makeTempDir({ prefix: "cta-chaos-test-" });
    try {
      const chaos = new Deno.Command("deno", {
        args: [
          "run",
          "-P=stack",
          "chaos/main.ts",
          "--brokers",
          "1",
          "--steps",
          "24",
          "--step-seconds",
          "1",
          "--summary-kills",
          "10",
          "--seed",
          "7",
        ],
        cwd: new URL("..", import.meta.url).pathname,
        env: { STACK_DIR: stackDir, CHAOS_PORT_SHIFT: "600" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // It takes 2–4 minutes; its own waits are bounded, and this bounds the whole of it.
      const output = await endWithin(
        chaos.output(),
        chaos,
        15 * 60_000,
        () => "the chaos run still ran after 15 minutes",
      );
      const text = new TextDecoder().decode(output.stdout);
      const errors = new TextDecoder().decode(output.stderr);
      console.log(text.slice(text.indexOf("\nfaults")));
      assert.equal(output.code, 0, `${text}\n${errors.slice(-3000)}`);
      assert.equal((text.match(/SIGKILL turnstile summary \(\d+\/10\)/g) ?? []).length >= 10, true);
      assert.match(text, /schema registry SIGKILLed, restarted after 15 s/);
      assert.match(text, /resumed zombie was fenced and rejoined the group/);
      for (
        const check of [
          /TURNSTILE_SUMMARY count = entries produced, per station\s+PASS/,
          /dashboard \/api\/state totals = summary\s+PASS/,
          /the transformed stations are exactly the expected set\s+PASS/,
          /no weather reading is missing\s+PASS/,
          /turnstiles\.dlq holds only what was injected, from each reader\s+PASS/,
          /history entries in PostgreSQL = entries produced, per station\s+PASS/,
          /history arrivals in PostgreSQL = arrivals produced, per station\s+PASS/,
          /every stage is still running\s+PASS/,
        ]
      ) assert.match(text, check);
      assert.doesNotMatch(text, /FAIL/);
    } finally {
      await Deno.remove(stackDir, { recursive: true }).catch(() => {});
    }
  },
});
