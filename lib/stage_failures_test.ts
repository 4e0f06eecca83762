import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import { Budget, consumerRestarts, errorLine, isFenced } from "./stage_failures.ts";

Deno.test("fencing is told apart from errors that end the stage", () => {
  const protocolError = (type: string, code: number, message: string) =>
    Object.assign(new Error(message), { type, code });
  // As kafkajs's retrier wraps what it gives up on (its typings omit the second argument).
  const NonRetriable = kafkajs.KafkaJSNonRetriableError as unknown as new (
    e: Error,
    metadata: { cause: Error },
  ) => Error;
  const epoch = protocolError("INVALID_PRODUCER_EPOCH", 47, "Producer attempted ... old epoch");
  assert.ok(isFenced(epoch));
  assert.ok(isFenced(new NonRetriable(epoch, { cause: epoch })));
  assert.ok(
    isFenced(
      new kafkajs.KafkaJSNumberOfRetriesExceeded(epoch, { retryCount: 8, retryTime: 5_000 }),
    ),
  );
  assert.ok(isFenced(protocolError("KAFKAJS_UNKNOWN_ERROR_CODE", -99, "Unknown error code 90")));
  const tooLarge = protocolError("MESSAGE_TOO_LARGE", 10, "The request included a message");
  assert.ok(!isFenced(tooLarge));
  assert.ok(!isFenced(new NonRetriable(tooLarge, { cause: tooLarge })));
  assert.ok(!isFenced(new Error("Connection error: connect ECONNREFUSED 127.0.0.1:1")));
  assert.ok(!isFenced("Unknown error code 90"));
});

Deno.test("failures in a row are counted until reset; an error becomes one line", () => {
  const budget = new Budget(2);
  assert.ok(budget.spend());
  assert.ok(budget.spend());
  assert.ok(!budget.spend());
  budget.reset();
  assert.ok(budget.spend());
  assert.equal(
    errorLine("writing t", new Error("first\n    second")),
    "writing t: first second",
  );
});

Deno.test("a consumer restarts while its budget lasts, after progress again, never when stopping", async () => {
  const warnings: string[] = [];
  const log = { warn: (line: string) => warnings.push(line) };
  const budget = new Budget(2);
  let stopping = false;
  const { restartOnFailure } = consumerRestarts("consumer", budget, log, () => stopping);
  const failure = new Error("broker gone\n  for now");
  assert.equal(await restartOnFailure(failure), true);
  assert.equal(await restartOnFailure(failure), true);
  assert.equal(await restartOnFailure(failure), false);
  budget.reset(); // the stage made progress
  assert.equal(await restartOnFailure(failure), true);
  stopping = true;
  assert.equal(await restartOnFailure(failure), false);
  assert.deepEqual(warnings, [
    "consumer failed (broker gone for now); restart 1 of 2",
    "consumer failed (broker gone for now); restart 2 of 2",
    "consumer failed (broker gone for now); giving up",
    "consumer failed (broker gone for now); restart 1 of 2",
    "consumer failed (broker gone for now); giving up",
  ]);
});
