import { Random } from "../../pipeline/sim/prng.ts";

/** Fuzz tests' seeded generator (the simulation's), so that a failing run can be replayed. */
export function seeded(seed: number) {
  const random = new Random(seed);
  return {
    next: () => random.next(),
    int: (n: number) => random.int(0, n - 1),
    pick: <T>(items: readonly T[]): T => random.pick(items),
  };
}
