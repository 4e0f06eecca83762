/** The generated configuration files of the stack's services (pure: settings in, text out). */
import {
  minInsyncReplicas,
  nodeIds,
  nodePorts,
  replicationFactor,
  type StackSettings,
} from "./settings.ts";
import { properties } from "./properties.ts";

/**
 * One KRaft node, broker and controller in one process. A single node bootstraps its quorum
 * (`--standalone` format); a cluster has a static quorum of every node's controller.
 */
export function kafkaServerProperties(
  settings: StackSettings,
  logDir: string,
  nodeId = 1,
): string {
  const { host } = settings;
  const ports = nodePorts(settings, nodeId);
  const broker = `PLAINTEXT://${host}:${ports.broker}`;
  const controller = `CONTROLLER://${host}:${ports.controller}`;
  const rf = replicationFactor(settings);
  const minIsr = minInsyncReplicas(settings);
  const quorum: Record<string, string> = settings.brokers === 1
    ? { "controller.quorum.bootstrap.servers": `${host}:${ports.controller}` }
    : {
      "controller.quorum.voters": nodeIds(settings)
        .map((id) => `${id}@${host}:${nodePorts(settings, id).controller}`).join(","),
    };
  return properties({
    "process.roles": "broker,controller",
    "node.id": nodeId,
    ...quorum,
    "listeners": `${broker},${controller}`,
    "advertised.listeners": `${broker},${controller}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": logDir,
    "num.partitions": 1,
    "auto.create.topics.enable": "false",
    "default.replication.factor": rf,
    "min.insync.replicas": minIsr,
    "offsets.topic.replication.factor": rf,
    "offsets.topic.num.partitions": 10,
    "transaction.state.log.replication.factor": rf,
    "transaction.state.log.min.isr": minIsr,
    "transaction.state.log.num.partitions": 10,
    "share.coordinator.state.topic.replication.factor": rf,
    "share.coordinator.state.topic.min.isr": minIsr,
    "group.initial.rebalance.delay.ms": 0,
    "log.retention.hours": 168,
  });
}

/** A log4j2 configuration writing everything at INFO to stdout, which the stack sends to a file. */
export function log4j2Properties(): string {
  return properties({
    "status": "warn",
    "appender.out.type": "Console",
    "appender.out.name": "OUT",
    "appender.out.layout.type": "PatternLayout",
    "appender.out.layout.pattern": "[%d] %p %m (%c)%n",
    "rootLogger.level": "INFO",
    "rootLogger.appenderRef.out.ref": "OUT",
    "logger.kafka.name": "kafka",
    "logger.kafka.level": "INFO",
    "logger.reflections.name": "org.reflections",
    "logger.reflections.level": "ERROR",
  });
}

export function connectWorkerProperties(settings: StackSettings, pluginPath: string): string {
  const { host, ports } = settings;
  return properties({
    "bootstrap.servers": nodeIds(settings).map((id) => `${host}:${nodePorts(settings, id).broker}`)
      .join(","),
    "group.id": "cta-connect",
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "key.converter.schemas.enable": "false",
    "value.converter.schemas.enable": "false",
    "config.storage.topic": "connect-configs",
    "offset.storage.topic": "connect-offsets",
    "status.storage.topic": "connect-status",
    "config.storage.replication.factor": replicationFactor(settings),
    "offset.storage.replication.factor": replicationFactor(settings),
    "status.storage.replication.factor": replicationFactor(settings),
    "offset.flush.interval.ms": 1000,
    "listeners": `http://${host}:${ports.connect}`,
    "rest.advertised.host.name": host,
    "rest.advertised.port": ports.connect,
    "plugin.path": pluginPath,
    "plugin.discovery": "service_load",
    "topic.creation.enable": "true",
  });
}

/** Server options for PostgreSQL, as `-c name=value` arguments. */
export function postgresOptions(settings: StackSettings, socketDir: string): string[] {
  const options: Record<string, string | number> = {
    listen_addresses: settings.host,
    port: settings.ports.postgres,
    unix_socket_directories: socketDir,
    wal_level: "logical",
    max_wal_senders: 10,
    max_replication_slots: 10,
    shared_buffers: "64MB",
  };
  return Object.entries(options).flatMap(([key, value]) => ["-c", `${key}=${value}`]);
}

/** Quotes a word for a POSIX shell (pg_ctl passes `-o` through one). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
