/**
 * The Debezium source connector that streams table `stations` into the stations topic
 * (DESIGN.md: key `{"stop_id": …}`, value the flat row as JSON, a DELETE as a tombstone).
 */
import type { Config } from "./config.ts";
import { TOPICS } from "./contracts/topics.ts";

export type ConnectorConfig = Record<string, string>;

/** The namespace part of the topic names, reduced to what slot and connector names allow. */
function suffix(config: Config): string {
  const namespace = config.topics.stations.slice(0, -TOPICS.stations.length);
  const cleaned = namespace.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return cleaned ? `_${cleaned}` : "";
}

/** One connector (and one replication slot and publication) per topic namespace. */
export function stationsConnectorName(config: Config): string {
  return `cta-stations${suffix(config).replaceAll("_", "-")}`;
}

/** The replication slot the connector reads from (also what a test must drop afterwards). */
export function stationsSlotName(config: Config): string {
  return `cta_stations${suffix(config)}`.slice(0, 63);
}

export function stationsPublicationName(config: Config): string {
  return `cta_stations${suffix(config)}_pub`.slice(0, 63);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The connector's settings for a config (pure). */
export function stationsConnectorConfig(config: Config): ConnectorConfig {
  const prefix = `cta${suffix(config)}`;
  const pg = config.postgres;
  const json = "org.apache.kafka.connect.json.JsonConverter";
  return {
    "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
    "tasks.max": "1",
    "plugin.name": "pgoutput",
    "database.hostname": pg.connectHost,
    "database.port": String(pg.port),
    "database.user": pg.user,
    "database.password": pg.password,
    "database.dbname": pg.database,
    "database.sslmode": pg.sslmode,
    ...(pg.sslRootCert ? { "database.sslrootcert": pg.sslRootCert } : {}),
    "topic.prefix": prefix,
    "table.include.list": "public.stations",
    "slot.name": stationsSlotName(config),
    "publication.name": stationsPublicationName(config),
    "publication.autocreate.mode": "filtered",
    "snapshot.mode": "initial",
    "poll.interval.ms": "50",
    // Explicit, so that workers with other defaults (e.g. schemas enabled) write the same JSON.
    "key.converter": json,
    "key.converter.schemas.enable": "false",
    "value.converter": json,
    "value.converter.schemas.enable": "false",
    "transforms": "unwrap,route",
    "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
    // A DELETE must reach the topic as a real tombstone (null value), which compaction
    // understands. The unwrap's own tombstone keeps a value schema, so the JSON converter
    // writes the text `null`; instead, unwrap drops the delete event and Debezium's separate
    // tombstone (tombstones.on.delete) bypasses unwrap through the predicate.
    "tombstones.on.delete": "true",
    "transforms.unwrap.delete.tombstone.handling.mode": "drop",
    "transforms.unwrap.predicate": "isTombstone",
    "transforms.unwrap.negate": "true",
    "predicates": "isTombstone",
    "predicates.isTombstone.type":
      "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
    "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
    "transforms.route.regex": escapeRegex(`${prefix}.public.stations`),
    "transforms.route.replacement": config.topics.stations,
    "topic.creation.default.partitions": String(config.partitions),
    "topic.creation.default.replication.factor": String(config.replicationFactor),
    "topic.creation.default.cleanup.policy": "compact",
  };
}

export class ConnectorError extends Error {
  override name = "ConnectorError";
}

/** Connect did not answer (refused, reset or timed out): worth asking again. */
class ConnectUnreachable extends ConnectorError {}

export interface ConnectorStatus {
  connector?: { state: string; trace?: string };
  tasks?: { id: number; state: string; trace?: string }[];
}

async function request(
  config: Config,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<Response> {
  try {
    return await fetch(`${config.connectUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ConnectUnreachable(`Kafka Connect at ${config.connectUrl} is unreachable: ${error}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function retryUnreachable<T>(deadline: number, call: () => Promise<T>): Promise<T> {
  while (true) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ConnectUnreachable) || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** The connector's state and its tasks' states, or undefined when it does not exist. */
export async function stationsConnectorStatus(
  config: Config,
  timeoutMs?: number,
): Promise<ConnectorStatus | undefined> {
  const response = await request(
    config,
    "GET",
    `/connectors/${stationsConnectorName(config)}/status`,
    undefined,
    timeoutMs,
  );
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    throw new ConnectorError(`connector status: HTTP ${response.status} ${await response.text()}`);
  }
  return await response.json();
}

/**
 * Creates or updates the stations connector, then waits until it and its task are RUNNING.
 * Throws a ConnectorError on failure or after `timeoutMs`.
 */
export async function ensureStationsConnector(config: Config, timeoutMs = 60_000): Promise<void> {
  const name = stationsConnectorName(config);
  const deadline = Date.now() + timeoutMs;
  // Connect answers 409 while its workers rebalance, and a worker that has just started may not
  // answer a PUT for over ten seconds while it joins its group; both pass. The PUT is idempotent.
  while (true) {
    const response = await retryUnreachable(
      deadline,
      () => request(config, "PUT", `/connectors/${name}/config`, stationsConnectorConfig(config)),
    );
    if (response.ok) {
      await response.body?.cancel();
      break;
    }
    const text = await response.text();
    if (response.status !== 409 || Date.now() > deadline) {
      throw new ConnectorError(`PUT connector ${name}: HTTP ${response.status} ${text}`);
    }
    await sleep(250);
  }
  let last = "not created yet";
  while (Date.now() < deadline) {
    const status = await retryUnreachable(deadline, () => stationsConnectorStatus(config));
    const states = [status?.connector, ...(status?.tasks ?? [])];
    const failed = states.find((s) => s?.state === "FAILED");
    if (failed) {
      const reason = failed.trace?.split("\n")[0] ?? "no trace";
      throw new ConnectorError(`connector ${name} FAILED: ${reason}`);
    }
    if (status?.tasks?.length && states.every((s) => s?.state === "RUNNING")) return;
    last = JSON.stringify({ connector: status?.connector?.state, tasks: status?.tasks?.length });
    await sleep(200);
  }
  throw new ConnectorError(
    `connector ${name} not RUNNING after ${timeoutMs / 1000} s (last status ${last})`,
  );
}

/** Deletes the connector (its replication slot stays, as Debezium leaves it). */
export async function deleteStationsConnector(config: Config): Promise<void> {
  const response = await request(config, "DELETE", `/connectors/${stationsConnectorName(config)}`);
  await response.body?.cancel();
  if (!response.ok && response.status !== 404) {
    throw new ConnectorError(`DELETE connector: HTTP ${response.status}`);
  }
}
