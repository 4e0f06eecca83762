import { type Topics, topicsIn } from "./topics.ts";

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
  sslmode: string;
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
  /** maxSseClients: concurrent live-update streams the dashboard serves before answering 503. */
  dashboard: { host: string; port: number; maxSseClients: number };
  restProxy: RestProxyConfig;
  /** Partitions for topics this project creates. */
  partitions: number;
  /** Replication factor for topics this project creates; follows the cluster size. */
  replicationFactor: number;
}

type Env = (name: string) => string | undefined;

const denoEnv: Env = (name) => Deno.env.get(name);

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

function kafkaConfig(env: Env): KafkaConfig {
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
    const password = env("KAFKA_SASL_PASSWORD");
    if (!username || !password) {
      throw new ConfigError(
        `KAFKA_SECURITY_PROTOCOL=${protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
      );
    }
    config.sasl = { mechanism: mechanism as SaslMechanism, username, password };
  }
  const caFile = env("KAFKA_SSL_CA_FILE");
  if (caFile) config.caFile = caFile;
  return config;
}

export function loadConfig(env: Env = denoEnv): Config {
  const partitions = integer(env, "TOPIC_PARTITIONS", 3);
  return {
    kafka: kafkaConfig(env),
    topics: topicsIn(pick(env, "TOPIC_NAMESPACE", "")),
    namespace: pick(env, "TOPIC_NAMESPACE", ""),
    registry: {
      url: pick(env, "SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7"),
      basicAuth: env("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO") || undefined,
    },
    restProxyUrl: pick(env, "REST_PROXY_URL", "http://127.0.0.1:8082"),
    connectUrl: pick(env, "KAFKA_CONNECT_URL", "http://127.0.0.1:8083"),
    postgres: {
      host: pick(env, "PGHOST", "127.0.0.1"),
      port: integer(env, "PGPORT", 5432),
      database: pick(env, "PGDATABASE", "cta"),
      user: pick(env, "PGUSER", "cta_admin"),
      password: pick(env, "PGPASSWORD", "chicago"),
      sslmode: pick(env, "PGSSLMODE", "disable"),
    },
    dashboard: {
      host: pick(env, "DASHBOARD_HOST", "127.0.0.1"),
      port: integer(env, "DASHBOARD_PORT", 8888),
      maxSseClients: integer(env, "DASHBOARD_MAX_SSE_CLIENTS", 2000),
    },
    restProxy: {
      host: pick(env, "REST_PROXY_HOST", "127.0.0.1"),
      port: integer(env, "REST_PROXY_PORT", 8082),
      maxBodyBytes: integer(env, "REST_PROXY_MAX_BODY_BYTES", 1024 * 1024),
      topicAllowList: list(env, "REST_PROXY_TOPIC_ALLOW_LIST"),
      autoCreateTopics: boolean(env, "REST_PROXY_AUTO_CREATE_TOPICS", false),
    },
    partitions: Math.max(1, partitions),
    replicationFactor: Math.max(1, integer(env, "TOPIC_REPLICATION_FACTOR", 1)),
  };
}

/** A config safe to print: secrets replaced. */
export function redacted(config: Config): unknown {
  return JSON.parse(
    JSON.stringify(
      config,
      (key, value) => (key === "password" || key === "basicAuth") && value ? "***" : value,
    ),
  );
}

/** A consumer group id under the config's namespace. */
export function groupId(config: Config, name: string): string {
  return config.namespace + name;
}
