import assert from "node:assert/strict";
import { killAfter } from "./process_deadline.ts";

function denoEval(code: string): Deno.ChildProcess {
  return new Deno.Command("deno", { args: ["eval", code], stdout: "null", stderr: "null" }).spawn();
}

Deno.test("a process that ends in time is left alone, one past its time is SIGKILLed", async () => {
  const quick = denoEval("Deno.exit(3)");
  assert.deepEqual(await killAfter(quick.status.then((s) => s.code), quick, 30_000), {
    value: 3,
    killed: false,
  });
  const hung = denoEval("setTimeout(() => {}, 60_000)");
  const started = Date.now();
  const { value, killed } = await killAfter(hung.status, hung, 200);
  assert.equal(killed, true);
  assert.equal(value.signal, "SIGKILL");
  assert.ok(Date.now() - started < 30_000);
});
