/**
 * One line when Kafka becomes unreachable and one when it is back, instead of kafkajs's line per
 * retry: which kafkajs log entries speak of a failed connection, and a small state machine that
 * turns them into outage lines. Pure; lib/kafka.ts feeds it kafkajs's entries and connections.
 */

const SOCKET_ERRORS =
  "ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN";

// What kafkajs 2.2.4 logs (Connection, BrokerPool) when a connection to a broker fails.
const CONNECTION_FAILURE = new RegExp(
  `Connection error|Connection timeout|Failed to connect|KafkaJSConnectionError|${SOCKET_ERRORS}`,
);

// Lines that follow from a failed connection, or that a broker going away writes before
// reconnecting fails: quiet while an outage is on, shown otherwise.
const CONSEQUENCE =
  /KafkaJSNumberOfRetriesExceeded|KafkaJSConnectionClosedError|Closed connection|Connection closed|Not connected|Restarting the consumer|The broker is not available|broker not available|BROKER_NOT_AVAILABLE/i;

const REASON = new RegExp(`\\b(${SOCKET_ERRORS}|Connection timeout)\\b`);

export interface ConnectionFailure {
  /** `host:port` as configured, from the entry's `broker` field (kafkajs's Connection entries). */
  broker?: string;
  /** `ECONNREFUSED`, `Connection timeout`, ... or the start of the text. */
  reason: string;
}

/**
 * The failed connection a kafkajs entry reports, or undefined for any other entry. The broker is
 * taken from the entry's field only: the texts name it by resolved address, not as configured.
 */
export function connectionFailure(
  text: string,
  broker: string | undefined,
): ConnectionFailure | undefined {
  if (!CONNECTION_FAILURE.test(text)) return undefined;
  const reason = REASON.exec(text)?.[1] ?? text.slice(0, 120);
  return broker ? { broker, reason } : { reason };
}

/** Whether an entry merely follows from a failed connection (a crash, a restart). */
export function followsFromFailure(text: string): boolean {
  return CONSEQUENCE.test(text);
}

export interface OutageLine {
  level: "warn" | "info";
  message: string;
}

interface Outage {
  since: number;
  suppressed: number;
}

// The key of an outage whose broker no entry named.
const UNNAMED = "";

/**
 * Per broker: the first failure writes a warn line, later ones are counted; the first connection
 * that succeeds afterwards writes an info line with the outage's length and the count.
 */
export class BrokerOutages {
  #outages = new Map<string, Outage>();

  /** The line a failed connection writes: one when the outage starts, none while it lasts. */
  failed(failure: ConnectionFailure, now: number): OutageLine | undefined {
    const key = failure.broker ?? UNNAMED;
    let ongoing = this.#outages.get(key);
    if (!ongoing && key === UNNAMED) ongoing = this.#oldest();
    if (!ongoing && this.#outages.has(UNNAMED)) {
      // An unnamed outage that an entry now names: the same outage, already reported.
      ongoing = this.#outages.get(UNNAMED)!;
      this.#outages.delete(UNNAMED);
      this.#outages.set(key, ongoing);
    }
    if (ongoing) {
      ongoing.suppressed++;
      return undefined;
    }
    this.#outages.set(key, { since: now, suppressed: 0 });
    const who = failure.broker ? `broker ${failure.broker}` : "Kafka";
    return { level: "warn", message: `${who} unreachable (${failure.reason}); retrying quietly` };
  }

  /** Counts a line that follows from a failure; false when no outage is on (show the line). */
  followed(): boolean {
    const oldest = this.#oldest();
    if (!oldest) return false;
    oldest.suppressed++;
    return true;
  }

  /** A connection to `broker` succeeded: the line that ends its outage, if it had one. */
  connected(broker: string, now: number): OutageLine | undefined {
    const key = this.#outages.has(broker) ? broker : UNNAMED;
    const outage = this.#outages.get(key);
    if (!outage) return undefined;
    this.#outages.delete(key);
    const seconds = ((now - outage.since) / 1000).toFixed(1);
    const who = key === UNNAMED ? "Kafka" : `broker ${broker}`;
    return {
      level: "info",
      message: `${who} reachable again after ${seconds} s, ${outage.suppressed} ` +
        `repeated error${outage.suppressed === 1 ? "" : "s"} suppressed`,
    };
  }

  get ongoing(): number {
    return this.#outages.size;
  }

  #oldest(): Outage | undefined {
    let oldest: Outage | undefined;
    for (const outage of this.#outages.values()) {
      if (!oldest || outage.since < oldest.since) oldest = outage;
    }
    return oldest;
  }
}
