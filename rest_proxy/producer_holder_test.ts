import assert from "node:assert/strict";
import { ProducerHolder, ProducerUnavailableError } from "./producer_holder.ts";

interface FakeProducer {
  id: number;
  disposed: boolean;
}

/**
 * A factory whose calls listed in `failing` (1-based) reject as an unreachable broker would;
 * the backoff sleeps are recorded and take no time.
 */
function fixture(failing: (call: number) => boolean) {
  const made: FakeProducer[] = [];
  const sleeps: number[] = [];
  let calls = 0;
  const options = {
    create: () => {
      calls++;
      if (failing(calls)) {
        return Promise.reject(new Error(`connect ECONNREFUSED (call ${calls})`));
      }
      const producer = { id: calls, disposed: false };
      made.push(producer);
      return Promise.resolve(producer);
    },
    dispose: (producer: FakeProducer) => {
      producer.disposed = true;
      return Promise.resolve();
    },
    backoff: { initialMs: 100, maxMs: 500 },
    sleep: (ms: number) => {
      sleeps.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, 0));
    },
    log: () => {},
  };
  return { options, made, sleeps, calls: () => calls };
}

const soon = () => Date.now() + 5_000;

Deno.test("a replacement that fails keeps being retried with backoff until it connects", async () => {
  // Call 1 is the first producer; calls 2 to 6 (the replacement's first five attempts) fail.
  const f = fixture((call) => call >= 2 && call <= 6);
  const holder = await ProducerHolder.start(f.options);
  const first = await holder.get(soon());
  holder.replace();
  assert.equal(first.disposed, true, "the old producer is disconnected");
  const next = await holder.get(soon());
  assert.equal(next.id, 7);
  assert.equal(f.calls(), 7);
  assert.deepEqual(f.sleeps, [100, 200, 400, 500, 500], "doubling, capped at maxMs");
  assert.equal(holder.replacing, false);
  assert.equal(await holder.get(soon()), next, "the new producer stays until replaced again");
  await holder.close();
  assert.equal(next.disposed, true);
});

Deno.test("while the replacement fails, requests get a retriable error, then the new producer", async () => {
  let brokerUp = false;
  const f = fixture((call) => call >= 2 && !brokerUp);
  const holder = await ProducerHolder.start(f.options);
  holder.replace();
  const error = await holder.get(Date.now() + 30).then(
    () => assert.fail("no producer can exist while every attempt fails"),
    (e) => e,
  );
  assert.ok(error instanceof ProducerUnavailableError);
  assert.equal(error.retriable, true);
  assert.match(error.message, /ECONNREFUSED/);
  assert.ok(holder.replacing);
  const attemptsSoFar = f.calls();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.ok(f.calls() > attemptsSoFar, "attempts go on without any request asking");
  brokerUp = true;
  const producer = await holder.get(soon());
  assert.equal(producer.disposed, false);
  assert.equal(holder.replacing, false);
  await holder.close();
});

Deno.test("asking for a replacement while one is under way starts no second one", async () => {
  const f = fixture((call) => call === 2 || call === 3);
  const holder = await ProducerHolder.start(f.options);
  holder.replace();
  holder.replace();
  const [a, b] = await Promise.all([holder.get(soon()), holder.get(soon())]);
  assert.equal(a, b);
  assert.equal(f.calls(), 4);
  assert.equal(f.made.length, 2);
  await holder.close();
});

Deno.test("closing stops the retries and leaves no producer connected", async () => {
  const f = fixture((call) => call >= 2);
  const holder = await ProducerHolder.start(f.options);
  holder.replace();
  const waiting = holder.get(soon());
  await new Promise((resolve) => setTimeout(resolve, 10));
  await holder.close();
  await assert.rejects(waiting, ProducerUnavailableError);
  await assert.rejects(holder.get(soon()), ProducerUnavailableError);
  const calls = f.calls();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(f.calls(), calls, "no attempt after close");
  assert.ok(f.made.every((p) => p.disposed));
});

Deno.test("a first producer that cannot connect is the caller's failure", async () => {
  const f = fixture(() => true);
  await assert.rejects(ProducerHolder.start(f.options), /ECONNREFUSED/);
  assert.equal(f.calls(), 1);
});
