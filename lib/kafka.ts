/**
 * The one factory for Kafka clients: connection, security and logging settings live here.
 * Every producer, consumer and admin in the project comes from `createKafka`.
 */
import { applyKafkajsSpeedups } from "./kafkajs_speedups/install.ts";
// "kafkajs" is lib/kafkajs.ts: the package with the project's fixes installed first.
import { type ISocketFactory, Kafka, type LogEntry, logLevel, type SASLOptions } from "kafkajs";
import type { KafkaConfig } from "./config.ts";
import { kafkajsRequire } from "./kafkajs_upstream.ts";
import { type Level, logger } from "./log.ts";
import { BrokerOutages, connectionFailure, followsFromFailure } from "./log_outage.ts";

// kafkajs logs errors it goes on to retry successfully at ERROR level; these are not failures.
const RETRIED_BY_KAFKAJS = [
  "The coordinator is loading",
  "The coordinator is not available",
  "CONCURRENT_TRANSACTIONS",
  "concurrent transactions",
  // Logged at ERROR on each retry after CONCURRENT_TRANSACTIONS.
  "another concurrent operation on the same transaction was ongoing",
  "The group is rebalancing",
  "This is not the correct coordinator",
  "There is no leader for this topic-partition",
  "This server does not host this topic-partition",
  "Broker: Not coordinator",
  "Response GroupCoordinator",
  "Response FindCoordinator",
];

// Deliberate: producers retry a bounded number of times, then the stage stops with an error.
// The default partitioner is the one we want (murmur2, as the Java client).
const DELIBERATE = [
  "Limiting retries for the idempotent producer",
  "KafkaJS v2.0.0 switched default partitioner",
];

// Thrown to the caller as well, which reports it once (see explainKafkaError).
const THROWN = ["authentication failed"];

function isRetriedNoise(entry: LogEntry): boolean {
  if (DELIBERATE.some((needle) => entry.log.message.includes(needle))) return true;
  const text = `${entry.log.message} ${String(entry.log.error ?? "")}`;
  if (THROWN.some((needle) => text.toLowerCase().includes(needle))) return true;
  return RETRIED_BY_KAFKAJS.some((needle) => text.includes(needle));
}

const LEVELS: Record<number, Level> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

// One per process, whatever the number of clients: one outage, one line.
const outages = new BrokerOutages();
// kafkajs makes entries from KAFKA_LOG_LEVEL (default warn) up; LOG_LEVEL filters them like any
// other line, unless KAFKA_LOG_LEVEL is set, which then decides alone.
const kafkajsLog = logger("kafka", {
  level: Deno.env.get("KAFKA_LOG_LEVEL") ? LEVELS[logLevelFromEnv()] : undefined,
});
const outageLog = logger("kafka");

/**
 * One line per log entry, through lib/log.ts, with retried errors demoted to debug and a broker
 * that keeps refusing connections reported once (see lib/log_outage.ts).
 */
function honestLogCreator() {
  return () => (entry: LogEntry) => {
    if (entry.level === logLevel.NOTHING) return;
    const { message, error, timestamp: _at, logger: _kafkajs, stack: _stack, ...fields } = entry
      .log as LogEntry["log"] & { broker?: unknown };
    let level = LEVELS[entry.level] ?? "debug";
    if (entry.level <= logLevel.WARN) {
      const text = `${message} ${String(error ?? "")}`;
      const broker = typeof fields.broker === "string" ? fields.broker : undefined;
      const failure = connectionFailure(text, broker);
      if (isRetriedNoise(entry)) level = "debug";
      else if (failure) {
        const line = outages.failed(failure, Date.now());
        if (line) return outageLog[line.level](line.message);
        level = "debug";
      } else if (followsFromFailure(text) && outages.followed()) level = "debug";
    }
    const detail = error ? `: ${error}` : "";
    kafkajsLog[level](`[${entry.namespace}] ${message}${detail}`, fields);
  };
}

/** kafkajs's socket factory, telling the outage lines when a connection to a broker succeeds. */
function reportingSocketFactory(): ISocketFactory {
  const connect: ISocketFactory = kafkajsRequire()("./src/network/socketFactory.js")();
  return (args) =>
    connect({
      ...args,
      onConnect: () => {
        const line = outages.connected(`${args.host}:${args.port}`, Date.now());
        if (line) outageLog[line.level](line.message);
        args.onConnect();
      },
    });
}

function logLevelFromEnv(): logLevel {
  switch ((Deno.env.get("KAFKA_LOG_LEVEL") ?? "warn").toLowerCase()) {
    case "nothing":
      return logLevel.NOTHING;
    case "error":
      return logLevel.ERROR;
    case "info":
      return logLevel.INFO;
    case "debug":
      return logLevel.DEBUG;
    default:
      return logLevel.WARN;
  }
}

/** kafkajs's `ssl` option: undefined without TLS, `true` for the system CAs, or PEM contents. */
export function tlsOptions(
  config: KafkaConfig,
  readFile: (path: string) => string = (path) => Deno.readTextFileSync(path),
): true | { ca?: string[]; cert?: string; key?: string } | undefined {
  if (config.securityProtocol !== "SSL" && config.securityProtocol !== "SASL_SSL") return undefined;
  if (!config.caFile && !config.certFile) return true;
  return {
    ...(config.caFile ? { ca: [readFile(config.caFile)] } : {}),
    ...(config.certFile && config.keyFile
      ? { cert: readFile(config.certFile), key: readFile(config.keyFile) }
      : {}),
  };
}

/**
 * One line that names the setting to fix, for errors that the security settings cause; undefined
 * for any other error. It never contains the password.
 */
export function explainKafkaError(error: unknown, config: KafkaConfig): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const at = config.brokers.join(",");
  if (error.name === "KafkaJSSASLAuthenticationError") {
    const who = config.sasl
      ? `user "${config.sasl.username}" with ${config.sasl.mechanism.toUpperCase()}`
      : "this client";
    return `Kafka at ${at} refused the credentials of ${who}: ` +
      "check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM";
  }
  return undefined;
}

let failureReporterInstalled = false;
// The line keeps the look of a process's own fatal error: `error: ...`.
const fatalLog = logger("error");

/** A process that dies of an authentication failure says so in one line, not a stack trace. */
function reportSettingFailures(config: KafkaConfig): void {
  if (failureReporterInstalled) return;
  failureReporterInstalled = true;
  globalThis.addEventListener("unhandledrejection", (event) => {
    const line = explainKafkaError(event.reason, config);
    if (!line) return;
    event.preventDefault();
    fatalLog.error(line);
    Deno.exit(1);
  });
}

export function createKafka(clientId: string, config: KafkaConfig): Kafka {
  reportSettingFailures(config);
  applyKafkajsSpeedups();
  const ssl = tlsOptions(config);
  return new Kafka({
    clientId,
    brokers: config.brokers,
    ssl,
    sasl: config.sasl as SASLOptions | undefined,
    logLevel: logLevelFromEnv(),
    logCreator: honestLogCreator(),
    socketFactory: reportingSocketFactory(),
    // A short first backoff: the broker answers CONCURRENT_TRANSACTIONS while it writes
    // the previous commit's markers, and the default 300 ms throttles transactions.
    retry: { initialRetryTime: 25, retries: 10 },
  });
}
