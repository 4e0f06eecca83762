/**
 * How a stage tells failures apart and how long its consumers keep restarting: shared by every
 * stage that runs kafkajs consumers and transactional producers of its own. Pure but for the
 * consumer events it listens to.
 */
import type { Consumer } from "kafkajs";
import type { Logger } from "./log.ts";

/** Failures in a row that are tolerated before the stage gives up. */
export class Budget {
  #used = 0;

  constructor(readonly max: number) {}

  /** Counts one failure; false once more than `max` have happened without a `reset`. */
  spend(): boolean {
    this.#used++;
    return this.#used <= this.max;
  }

  get used(): number {
    return this.#used;
  }

  reset(): void {
    this.#used = 0;
  }
}

// 47 is INVALID_PRODUCER_EPOCH, 49 INVALID_PRODUCER_ID_MAPPING; 90 (PRODUCER_FENCED) is newer
// than kafkajs, which reports it as an unknown code.
const FENCED_TYPES = new Set(["INVALID_PRODUCER_EPOCH", "INVALID_PRODUCER_ID_MAPPING"]);
const FENCED_CODES = new Set([47, 49, 90]);

/**
 * The error and the errors it wraps (`cause`), outermost first, at most eight deep: kafkajs's
 * retrier wraps what it gives up on, so what happened may sit a few causes in.
 */
export function errorChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = error; chain.length < 8 && current instanceof Error; current = current.cause) {
    chain.push(current);
  }
  return chain;
}

/** True when a transactional producer failed because another one took its id over. */
export function isFenced(error: unknown): boolean {
  return errorChain(error).some((current) => {
    const { type, code, message } = current as Error & { type?: unknown; code?: unknown };
    return (typeof type === "string" && FENCED_TYPES.has(type)) ||
      (typeof code === "number" && FENCED_CODES.has(code)) ||
      /\bUnknown error code 90\b/.test(message);
  });
}

/** An error's message on one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, " ");
}

/** One line: what was being done and why it failed. */
export function errorLine(doing: string, error: unknown): string {
  return `${doing}: ${oneLine(error)}`;
}

/**
 * kafkajs's `retry` option for a consumer: it restarts after a failure while `budget` lasts (the
 * stage resets it when it makes progress), with a warning each time, and never once `stopping`.
 */
export function consumerRestarts(
  name: string,
  budget: Budget,
  log: Pick<Logger, "warn">,
  stopping: () => boolean = () => false,
) {
  return {
    retries: 8,
    initialRetryTime: 100,
    restartOnFailure: (error: Error) => {
      const again = budget.spend() && !stopping();
      log.warn(
        `${name} failed (${oneLine(error)}); ` +
          (again ? `restart ${budget.used} of ${budget.max}` : "giving up"),
      );
      return Promise.resolve(again);
    },
  };
}

/**
 * Refills `budget` whenever a fetch succeeds (a join alone does not show that the consumer works
 * again) and calls `gaveUp` when kafkajs stops restarting the consumer.
 */
export function watchConsumer(
  consumer: Consumer,
  budget: Budget,
  gaveUp: (error: Error) => void,
): void {
  consumer.on(consumer.events.FETCH, () => budget.reset());
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) gaveUp(payload.error);
  });
}
