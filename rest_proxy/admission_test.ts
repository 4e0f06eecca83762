import assert from "node:assert/strict";
import { Admission } from "./admission.ts";
import { ERROR_CODES, RestError } from "./errors.ts";

const refusal = (error: unknown) =>
  error instanceof RestError && error.status === 503 &&
  error.errorCode === ERROR_CODES.tooManyPending;

Deno.test("requests beyond the bound are refused at once with 503", async () => {
  const admission = new Admission(2);
  const stalled = [Promise.withResolvers<string>(), Promise.withResolvers<string>()];
  const admitted = stalled.map((s) => admission.run(() => s.promise));
  assert.equal(admission.active, 2);
  await assert.rejects(admission.run(() => Promise.resolve("third")), refusal);
  await assert.rejects(admission.run(() => Promise.resolve("fourth")), refusal);
  assert.equal(admission.active, 2);

  stalled[0].resolve("first");
  assert.equal(await admitted[0], "first");
  assert.equal(admission.active, 1);
  // A freed slot admits the next request.
  const next = Promise.withResolvers<string>();
  const nextRun = admission.run(() => next.promise);
  await assert.rejects(admission.run(() => Promise.resolve("over")), refusal);
  next.resolve("next");
  stalled[1].resolve("second");
  assert.deepEqual(await Promise.all([nextRun, admitted[1]]), ["next", "second"]);
  assert.equal(admission.active, 0);
});

Deno.test("a failed or throwing request gives its slot back", async () => {
  const admission = new Admission(1);
  await assert.rejects(admission.run(() => Promise.reject(new Error("kafka"))), /kafka/);
  await assert.rejects(
    admission.run(() => {
      throw new Error("sync");
    }),
    /sync/,
  );
  assert.equal(admission.active, 0);
  assert.equal(await admission.run(() => Promise.resolve(7)), 7);
});

Deno.test("the bound must be a positive integer", () => {
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => new Admission(bad), RangeError);
});
