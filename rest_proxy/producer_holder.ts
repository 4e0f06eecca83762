/**
 * The proxy's one producer, and its replacement. When a replacement cannot connect, the holder
 * keeps trying with exponential backoff in the background; requests wait for it up to their
 * deadline and are answered retriable (50003) meanwhile, so the proxy recovers by itself once
 * Kafka answers again.
 */
import { logger } from "../lib/log.ts";

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000 };

export interface ProducerHolderOptions<P> {
  /** Makes a new producer and connects it; rejects when it cannot connect. */
  create: () => Promise<P>;
  /** Disconnects a producer that is no longer used; its failures are ignored. */
  dispose: (producer: P) => Promise<void>;
  backoff?: Backoff;
  sleep?: (ms: number) => Promise<void>;
  /** Default: lib/log.ts's "rest-proxy" logger. */
  log?: (line: string, level: "debug" | "info" | "warn") => void;
}

/** No producer yet: retriable, like the connection failure behind it. */
export class ProducerUnavailableError extends Error {
  override name = "ProducerUnavailableError";
  readonly retriable = true;
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

const proxyLog = logger("rest-proxy");

const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error);

export class ProducerHolder<P> {
  readonly #options: Required<ProducerHolderOptions<P>>;
  #current: P | undefined;
  #replacing: Promise<P> | undefined;
  #lastError: unknown;
  #closed = false;
  // Wakes the retry loop from its backoff when the holder closes.
  #wake = Promise.withResolvers<void>();

  private constructor(options: ProducerHolderOptions<P>, first: P) {
    this.#options = {
      backoff: DEFAULT_BACKOFF,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      log: (line, level) => proxyLog[level](line),
      ...options,
    };
    this.#current = first;
  }

  /** Connects the first producer; a failure here is the caller's (the service does not start). */
  static async start<P>(options: ProducerHolderOptions<P>): Promise<ProducerHolder<P>> {
    return new ProducerHolder(options, await options.create());
  }

  /** Whether a replacement is under way (the last attempt failed, or one is connecting). */
  get replacing(): boolean {
    return this.#replacing !== undefined;
  }

  /**
   * The producer to send with. While a replacement is under way, waits for it until
   * `deadline` (a Date.now() value), then rejects with a retriable ProducerUnavailableError.
   */
  async get(deadline: number): Promise<P> {
    if (this.#current !== undefined) return this.#current;
    const replacing = this.#replacing;
    if (this.#closed || !replacing) throw new ProducerUnavailableError("the producer is closed");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    });
    try {
      const producer = await Promise.race([replacing, expired]);
      if (producer !== undefined) return producer;
    } finally {
      clearTimeout(timer);
    }
    throw new ProducerUnavailableError(
      `no Kafka producer yet, still reconnecting: ${messageOf(this.#lastError)}`,
      this.#lastError,
    );
  }

  /** Retires the current producer; the next get() waits for a new one. */
  replace(): void {
    if (this.#closed || this.#replacing) return;
    this.#replacing = this.#replace();
  }

  async #replace(): Promise<P> {
    const { create, dispose, backoff, sleep, log } = this.#options;
    const old = this.#current;
    this.#current = undefined;
    if (old !== undefined) await dispose(old).catch(() => {});
    let delay = backoff.initialMs;
    for (let attempt = 1;; attempt++) {
      if (this.#closed) throw new ProducerUnavailableError("the producer is closed");
      try {
        const producer = await create();
        if (this.#closed) {
          await dispose(producer).catch(() => {});
          throw new ProducerUnavailableError("the producer is closed");
        }
        if (attempt > 1) log(`new producer connected after ${attempt} attempts`, "info");
        this.#current = producer;
        this.#replacing = undefined;
        this.#lastError = undefined;
        return producer;
      } catch (error) {
        if (error instanceof ProducerUnavailableError) throw error;
        this.#lastError = error;
        // One warning per outage; the attempts after it only at debug level.
        log(
          `connecting a new producer failed (attempt ${attempt}): ` +
            `${messageOf(error)}; next attempt in ${delay} ms`,
          attempt === 1 ? "warn" : "debug",
        );
        await Promise.race([sleep(delay), this.#wake.promise]);
        delay = Math.min(delay * 2, backoff.maxMs);
      }
    }
  }

  /** Stops any replacement and disconnects the current producer. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake.resolve();
    // Nobody may be waiting for a replacement that close() ends.
    this.#replacing?.catch(() => {});
    const current = this.#current;
    this.#current = undefined;
    if (current !== undefined) await this.#options.dispose(current).catch(() => {});
  }
}
