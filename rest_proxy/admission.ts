/**
 * A bound on the requests waiting for Kafka or the registry at once. While Kafka stalls, each
 * admitted request waits (kafkajs retries for about a minute); those beyond the bound are
 * refused at once, so that neither memory nor the clients' wait grows without limit.
 */
import { tooManyPending } from "./errors.ts";

export class Admission {
  #active = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`the bound on waiting requests must be a positive integer: ${limit}`);
    }
  }

  /** Requests admitted and not yet finished. */
  get active(): number {
    return this.#active;
  }

  /** Runs `work` in a free slot; throws the 503 `tooManyPending` error when none is free. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) throw tooManyPending(this.limit);
    this.#active++;
    try {
      return await work();
    } finally {
      this.#active--;
    }
  }
}
