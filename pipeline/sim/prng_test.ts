import assert from "node:assert/strict";
import { Random } from "./prng.ts";

Deno.test("the same seed gives the same sequence, another seed a different one", () => {
  const draw = (seed: number) => {
    const random = new Random(seed);
    return Array.from({ length: 20 }, () => random.next());
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
});

Deno.test("int stays within its inclusive bounds and reaches both ends", () => {
  const random = new Random(1);
  const seen = new Set<number>();
  for (let i = 0; i < 5000; i++) {
    const value = random.int(-5, 4);
    assert.ok(Number.isInteger(value) && value >= -5 && value <= 4, `out of range: ${value}`);
    seen.add(value);
  }
  assert.equal(seen.size, 10);
});

Deno.test("triangular draws stay in bounds and lean towards the mode", () => {
  const random = new Random(3);
  let below = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const value = random.triangular(-10, 10, 5);
    assert.ok(value >= -10 && value <= 10);
    if (value < 0) below++;
  }
  // P(X < 0) for triangular(-10, 10, 5) is 10² / (20 × 15) = 1/3.
  assert.ok(Math.abs(below / n - 1 / 3) < 0.02, `share below 0: ${below / n}`);
});
