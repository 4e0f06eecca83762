/**
 * Where the local stack lives and listens: every port and directory comes from the environment
 * (pure: environment and paths in, settings out; nothing is read from disk).
 */
import { StackError } from "./errors.ts";
import { minInsyncReplicas as minInsyncFor } from "../lib/contracts/topics.ts";

type Env = (name: string) => string | undefined;

export interface StackPorts {
  kafka: number;
  kafkaController: number;
  registry: number;
  registryManagement: number;
  restProxy: number;
  /** The REST proxy's /healthz, /readyz and /metrics. */
  restProxyHealth: number;
  connect: number;
  postgres: number;
}

export interface StackSettings {
  repoDir: string;
  /** Runtime state: pids, logs, data, generated configs. */
  stackDir: string;
  /** Downloads, shared by every clone on the machine. */
  cacheDir: string;
  host: string;
  ports: StackPorts;
  /** KRaft nodes (broker and controller each): 1, or 3 for a cluster with a three-voter quorum. */
  brokers: number;
}

/** The ports of KRaft node `id` (1-based): node n listens two ports above node n - 1. */
export function nodePorts(
  settings: StackSettings,
  id: number,
): { broker: number; controller: number } {
  return {
    broker: settings.ports.kafka + 2 * (id - 1),
    controller: settings.ports.kafkaController + 2 * (id - 1),
  };
}

/** The node ids of the cluster, 1 to `brokers`. */
export function nodeIds(settings: StackSettings): number[] {
  return Array.from({ length: settings.brokers }, (_, i) => i + 1);
}

/** Replication of Kafka's and the project's topics: the cluster size, at most 3. */
export function replicationFactor(settings: StackSettings): number {
  return Math.min(3, settings.brokers);
}

/** `min.insync.replicas` that goes with the replication factor. */
export function minInsyncReplicas(settings: StackSettings): number {
  return minInsyncFor(replicationFactor(settings));
}

/** Parses a broker count (`--brokers N` or KAFKA_BROKERS). */
export function parseBrokers(raw: string | undefined, fallback = 1): number {
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 9) {
    throw new StackError(`the number of brokers must be 1 to 9, got "${raw}"`);
  }
  return value;
}

export const DEFAULT_PORTS: StackPorts = {
  kafka: 9092,
  kafkaController: 9093,
  registry: 8081,
  registryManagement: 9000,
  restProxy: 8082,
  restProxyHealth: 8084,
  connect: 8083,
  postgres: 5432,
};

const PORT_VARS: Record<keyof StackPorts, string> = {
  kafka: "KAFKA_PORT",
  kafkaController: "KAFKA_CONTROLLER_PORT",
  registry: "SCHEMA_REGISTRY_PORT",
  registryManagement: "REGISTRY_MANAGEMENT_PORT",
  restProxy: "REST_PROXY_PORT",
  restProxyHealth: "REST_PROXY_HEALTH_PORT",
  connect: "CONNECT_PORT",
  postgres: "PGPORT",
};

function port(env: Env, key: keyof StackPorts): number {
  const raw = env(PORT_VARS[key]);
  if (raw === undefined || raw === "") return DEFAULT_PORTS[key];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new StackError(`${PORT_VARS[key]} must be a port number, got "${raw}"`);
  }
  return value;
}

/** The environment of an isolated stack: its own directory and every port moved by `shift`. */
export function shiftedStackEnv(stackDir: string, shift: number): Record<string, string> {
  const env: Record<string, string> = { STACK_DIR: stackDir };
  for (const key of Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[]) {
    env[portVariable(key)] = String(DEFAULT_PORTS[key] + shift);
  }
  return env;
}

/** The name of the environment variable that sets a port. */
export function portVariable(key: keyof StackPorts): string {
  return PORT_VARS[key];
}

export function loadStackSettings(
  repoDir: string,
  env: Env = (name) => Deno.env.get(name),
): StackSettings {
  const cacheBase = env("XDG_CACHE_HOME") || `${env("HOME") ?? "/tmp"}/.cache`;
  const ports = Object.fromEntries(
    (Object.keys(PORT_VARS) as (keyof StackPorts)[]).map((key) => [key, port(env, key)]),
  ) as unknown as StackPorts;
  const brokers = parseBrokers(env("KAFKA_BROKERS"));
  const used = new Map<number, string>();
  const extraNodePorts: [string, number][] = [];
  for (let id = 2; id <= brokers; id++) {
    extraNodePorts.push([`broker ${id}`, ports.kafka + 2 * (id - 1)]);
    extraNodePorts.push([`controller ${id}`, ports.kafkaController + 2 * (id - 1)]);
  }
  for (const [key, value] of [...Object.entries(ports), ...extraNodePorts]) {
    const other = used.get(value);
    if (other) {
      throw new StackError(
        `${
          PORT_VARS[key as keyof StackPorts] ?? `the port of ${key}`
        } and ${other} are both ${value}: give them different ports`,
      );
    }
    used.set(value, PORT_VARS[key as keyof StackPorts] ?? `the port of ${key}`);
  }
  return {
    repoDir,
    stackDir: env("STACK_DIR") || `${repoDir}/.stack`,
    cacheDir: `${cacheBase}/cta-transit-status`,
    host: "127.0.0.1",
    ports,
    brokers,
  };
}

/**
 * The client-side environment (lib/config.ts) that points at this stack over plain connections.
 * A secure stack adds its security settings (clientEnv in client_env.ts).
 */
export function plainClientEnv(settings: StackSettings): Record<string, string> {
  const { host, ports } = settings;
  return {
    KAFKA_BOOTSTRAP_SERVERS: nodeIds(settings).map((id) =>
      `${host}:${nodePorts(settings, id).broker}`
    )
      .join(","),
    TOPIC_REPLICATION_FACTOR: String(replicationFactor(settings)),
    SCHEMA_REGISTRY_URL: `http://${host}:${ports.registry}/apis/ccompat/v7`,
    REST_PROXY_URL: `http://${host}:${ports.restProxy}`,
    REST_PROXY_HOST: host,
    REST_PROXY_PORT: String(ports.restProxy),
    KAFKA_CONNECT_URL: `http://${host}:${ports.connect}`,
    PGHOST: host,
    PGPORT: String(ports.postgres),
  };
}
