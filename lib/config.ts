import { type Topics, topicsIn } from "./contracts/topics.ts";
import { registerSecret } from "./log.ts";

/**
 * Every address, credential and tunable of the system, read from the environment in one place.
 * Defaults match the local stack (see DESIGN.md, "Services and ports").
 */

export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";
export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface KafkaConfig {
  brokers: string[];
  securityProtocol: SecurityProtocol;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** PEM file with the CA that signed the brokers' certificates. */
  caFile?: string;
  /** PEM client certificate and key, for brokers that authenticate clients by TLS (mTLS). */
  certFile?: string;
  keyFile?: string;
}

export interface RegistryConfig {
  url: string;
  /** `user:password`, as Confluent clients call it basic.auth.user.info. */
  basicAuth?: string;
}

export interface PostgresConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** libpq's sslmode: disable, allow, prefer, require, verify-ca or verify-full. */
  sslmode: string;
  /** PGSSLROOTCERT: PEM file with the CA of the server, for verify-ca and verify-full. */
  sslRootCert?: string;
  /**
   * CONNECT_DATABASE_HOSTNAME: the host Kafka Connect reaches PostgreSQL at (default PGHOST),
   * for when Connect runs elsewhere, e.g. in a container where 127.0.0.1 is not PostgreSQL.
   */
  connectHost: string;
}

export interface RestProxyConfig {
  host: string;
  port: number;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Topics that may be produced to: exact names, or prefixes ending in `*`; unset means all. */
  topicAllowList?: string[];
  /** Whether producing to a missing topic creates it (default false). */
  autoCreateTopics?: boolean;
}

/** A stage's health server, as the dashboard's ops page scrapes it. */
export interface OpsTarget {
  name: string;
  /** Base URL of its /healthz, /readyz and /metrics, without a trailing slash. */
  url: string;
}

export interface Config {
  kafka: KafkaConfig;
  /** Topic names, under TOPIC_NAMESPACE (empty unless a test isolates itself). */
  topics: Topics;
  /** TOPIC_NAMESPACE: prefixes topics and consumer groups, so that test runs stay apart. */
  namespace: string;
  registry: RegistryConfig;
  restProxyUrl: string;
  connectUrl: string;
  postgres: PostgresConfig;
  /** HISTORY_SCHEMA: the PostgreSQL schema of the ridership history tables (sql/history.sql). */
  historySchema: string;
  /**
   * maxSseClients: concurrent live-update streams the dashboard serves before answering 503.
   * trainFreshness: TRAIN_STALE_AFTER and TRAIN_REMOVE_AFTER, on the simulation's event-time clock.
   */
  dashboard: {
    host: string;
    port: number;
    maxSseClients: number;
    trainFreshness: { staleAfterMs: number; removeAfterMs: number };
  };
  restProxy: RestProxyConfig;
  /** Where a stage answers /healthz and /readyz; port 0 takes any free port. */
  health: { host: string; port: number };
  /** OPS_TARGETS: the health servers the dashboard's /ops page scrapes (besides itself). */
  opsTargets: OpsTarget[];
  /** Partitions for topics this project creates. */
  partitions: number;
  /** Replication factor for topics this project creates; follows the cluster size. */
  replicationFactor: number;
}

type Env = (name: string) => string | undefined;
type ReadFile = (path: string) => string;

const denoEnv: Env = (name) => Deno.env.get(name);
const denoReadFile: ReadFile = (path) => Deno.readTextFileSync(path);

/**
 * A secret from `NAME`, or else from the file named by `NAME_FILE` (trailing newline removed),
 * so that a password need not sit in the environment. Errors name the file, never its content.
 */
function secret(env: Env, readFile: ReadFile, name: string): string | undefined {
  const value = env(name);
  if (value) return registered(value);
  const file = env(`${name}_FILE`);
  if (!file) return undefined;
  try {
    return registered(readFile(file).replace(/\r?\n$/, ""));
  } catch (error) {
    const reason = error instanceof Deno.errors.NotCapable
      ? "no read permission: keep it inside the project or add --allow-read for it"
      : error instanceof Error
      ? error.name
      : "unreadable";
    throw new ConfigError(`${name}_FILE names ${file}, which cannot be read (${reason})`);
  }
}

/** A secret, masked in every log line from now on; `user:password` pairs by their password too. */
function registered(value: string): string {
  registerSecret(value);
  const colon = value.indexOf(":");
  if (colon >= 0) registerSecret(value.slice(colon + 1));
  return value;
}

function pick(env: Env, name: string, fallback: string): string {
  const value = env(name);
  return value === undefined || value === "" ? fallback : value;
}

function integer(env: Env, name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/** A duration in minutes (a bare number) or with a unit: `500ms`, `90s`, `15min`, `1h`. */
function durationMs(env: Env, name: string, fallbackMinutes: number): number {
  const raw = env(name);
  if (raw === undefined || raw.trim() === "") return fallbackMinutes * DURATION_UNITS_MS.min;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|min|h)?$/.exec(raw.trim());
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2] ?? "min"] : NaN;
  if (!(ms > 0)) {
    throw new ConfigError(
      `${name} must be a positive duration in minutes or with a unit (500ms, 90s, 15min, 1h), ` +
        `got "${raw}"`,
    );
  }
  return ms;
}

/** TRAIN_STALE_AFTER (15 simulated minutes) and TRAIN_REMOVE_AFTER (30), on event time. */
function trainFreshness(env: Env): { staleAfterMs: number; removeAfterMs: number } {
  const staleAfterMs = durationMs(env, "TRAIN_STALE_AFTER", 15);
  const removeAfterMs = durationMs(env, "TRAIN_REMOVE_AFTER", 30);
  if (removeAfterMs <= staleAfterMs) {
    throw new ConfigError(
      "TRAIN_REMOVE_AFTER must be longer than TRAIN_STALE_AFTER: a train goes stale before it is removed",
    );
  }
  return { staleAfterMs, removeAfterMs };
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env(name);
  if (raw === undefined || raw === "") return fallback;
  const value = raw.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(value)) return true;
  if (["false", "0", "no", "off"].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function list(env: Env, name: string): string[] | undefined {
  const items = (env(name) ?? "").split(",").map((item) => item.trim()).filter(Boolean);
  return items.length > 0 ? items : undefined;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const PROTOCOLS: SecurityProtocol[] = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];
const MECHANISMS: SaslMechanism[] = ["plain", "scram-sha-256", "scram-sha-512"];

function kafkaConfig(env: Env, readFile: ReadFile): KafkaConfig {
  const brokers = pick(env, "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    .split(",").map((b) => b.trim()).filter(Boolean);
  const protocol = pick(env, "KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").toUpperCase();
  if (!PROTOCOLS.includes(protocol as SecurityProtocol)) {
    throw new ConfigError(
      `KAFKA_SECURITY_PROTOCOL must be one of ${PROTOCOLS.join(", ")}, got "${protocol}"`,
    );
  }
  const config: KafkaConfig = { brokers, securityProtocol: protocol as SecurityProtocol };
  if (protocol.startsWith("SASL_")) {
    const mechanism = pick(env, "KAFKA_SASL_MECHANISM", "PLAIN").toLowerCase();
    if (!MECHANISMS.includes(mechanism as SaslMechanism)) {
      throw new ConfigError(
        `KAFKA_SASL_MECHANISM must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got "${mechanism}"`,
      );
    }
    const username = env("KAFKA_SASL_USERNAME");
    const password = secret(env, readFile, "KAFKA_SASL_PASSWORD");
    if (!username || !password) {
      throw new ConfigError(
        `KAFKA_SECURITY_PROTOCOL=${protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD ` +
          `(or KAFKA_SASL_PASSWORD_FILE)`,
      );
    }
    config.sasl = { mechanism: mechanism as SaslMechanism, username, password };
  }
  const caFile = env("KAFKA_SSL_CA_FILE");
  if (caFile) config.caFile = caFile;
  const certFile = env("KAFKA_SSL_CERT_FILE");
  const keyFile = env("KAFKA_SSL_KEY_FILE");
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError("KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together");
  }
  if (certFile && keyFile) Object.assign(config, { certFile, keyFile });
  return config;
}

/** The name the dashboard itself has on the ops page. */
export const OPS_SELF = "dashboard";

/** OPS_TARGETS: comma-separated `name=http://host:port`, each name once. */
function opsTargets(env: Env): OpsTarget[] {
  const targets: OpsTarget[] = [];
  for (const item of list(env, "OPS_TARGETS") ?? []) {
    const equals = item.indexOf("=");
    const name = equals < 0 ? "" : item.slice(0, equals).trim();
    const raw = item.slice(equals + 1).trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
      const shown = equals < 0
        ? withoutCredentials(item)
        : `${item.slice(0, equals)}=${withoutCredentials(raw)}`;
      throw new ConfigError(
        `OPS_TARGETS items are name=http://host:port (name of letters, digits, - _ .), got "${shown}"`,
      );
    }
    const protocol = URL.canParse(raw) ? new URL(raw).protocol : "";
    if (protocol !== "http:" && protocol !== "https:") {
      throw new ConfigError(
        `OPS_TARGETS: ${name} needs an http(s) URL, got "${withoutCredentials(raw)}"`,
      );
    }
    if (name === OPS_SELF) {
      throw new ConfigError(`OPS_TARGETS: "${OPS_SELF}" is the dashboard itself, always shown`);
    }
    if (targets.some((t) => t.name === name)) {
      throw new ConfigError(`OPS_TARGETS names ${name} twice`);
    }
    targets.push({ name, url: raw.replace(/\/+$/, "") });
  }
  return targets;
}

/** The OPS_TARGETS value that names these targets. */
export function opsTargetsValue(targets: readonly OpsTarget[]): string {
  return targets.map((t) => `${t.name}=${t.url}`).join(",");
}

const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

function sslmode(env: Env): string {
  const mode = pick(env, "PGSSLMODE", "disable").toLowerCase();
  if (!SSL_MODES.includes(mode)) {
    throw new ConfigError(`PGSSLMODE must be one of ${SSL_MODES.join(", ")}, got "${mode}"`);
  }
  return mode;
}

/** HISTORY_SCHEMA (default public): a lower-case identifier, so that it never needs quoting. */
function historySchema(env: Env): string {
  const schema = pick(env, "HISTORY_SCHEMA", "public");
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(
      `HISTORY_SCHEMA must be a lower-case identifier (a-z, 0-9, _, at most 63), got "${schema}"`,
    );
  }
  return schema;
}

/**
 * Reads the configuration. `readFile` reads the secrets given as files: KAFKA_SASL_PASSWORD_FILE,
 * SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO_FILE and PGPASSWORD_FILE.
 */
export function loadConfig(env: Env = denoEnv, readFile: ReadFile = denoReadFile): Config {
  const partitions = integer(env, "TOPIC_PARTITIONS", 3);
  return {
    kafka: kafkaConfig(env, readFile),
    topics: topicsIn(pick(env, "TOPIC_NAMESPACE", "")),
    namespace: pick(env, "TOPIC_NAMESPACE", ""),
    registry: {
      url: pick(env, "SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7"),
      basicAuth: secret(env, readFile, "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"),
    },
    restProxyUrl: pick(env, "REST_PROXY_URL", "http://127.0.0.1:8082"),
    connectUrl: pick(env, "KAFKA_CONNECT_URL", "http://127.0.0.1:8083"),
    postgres: {
      host: pick(env, "PGHOST", "127.0.0.1"),
      connectHost: pick(env, "CONNECT_DATABASE_HOSTNAME", pick(env, "PGHOST", "127.0.0.1")),
      port: integer(env, "PGPORT", 5432),
      database: pick(env, "PGDATABASE", "cta"),
      user: pick(env, "PGUSER", "cta_admin"),
      password: secret(env, readFile, "PGPASSWORD") ?? "chicago",
      sslmode: sslmode(env),
      sslRootCert: env("PGSSLROOTCERT") || undefined,
    },
    historySchema: historySchema(env),
    dashboard: {
      host: pick(env, "DASHBOARD_HOST", "127.0.0.1"),
      port: integer(env, "DASHBOARD_PORT", 8888),
      maxSseClients: integer(env, "DASHBOARD_MAX_SSE_CLIENTS", 2000),
      trainFreshness: trainFreshness(env),
    },
    restProxy: {
      host: pick(env, "REST_PROXY_HOST", "127.0.0.1"),
      port: integer(env, "REST_PROXY_PORT", 8082),
      maxBodyBytes: integer(env, "REST_PROXY_MAX_BODY_BYTES", 1024 * 1024),
      topicAllowList: list(env, "REST_PROXY_TOPIC_ALLOW_LIST"),
      autoCreateTopics: boolean(env, "REST_PROXY_AUTO_CREATE_TOPICS", false),
    },
    health: {
      host: pick(env, "HEALTH_HOST", "127.0.0.1"),
      port: integer(env, "HEALTH_PORT", 0),
    },
    opsTargets: opsTargets(env),
    partitions: Math.max(1, partitions),
    replicationFactor: Math.max(1, integer(env, "TOPIC_REPLICATION_FACTOR", 1)),
  };
}

/** `url` without the `user:password@` part, if any: safe to print. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, "$1***@");
}

/** A config safe to print: secrets replaced. */
export function redacted(config: Config): unknown {
  return JSON.parse(
    JSON.stringify(config, (key, value) => {
      if ((key === "password" || key === "basicAuth") && value) return "***";
      return typeof value === "string" ? withoutCredentials(value) : value;
    }),
  );
}

/** A consumer group id under the config's namespace. */
export function groupId(config: Config, name: string): string {
  return config.namespace + name;
}
