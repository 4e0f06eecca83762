/** The Kafka brokers: KRaft nodes, each a broker and a controller in one process. */
import { kafkaServerProperties, log4j2Properties } from "../configs.ts";
import { kafkaPropertiesFor, scramFormatArgs } from "../secure.ts";
import { isListening, spawnDetached } from "../process.ts";
import { confDir, fileSize, logContains, type Service, serviceLog } from "../service.ts";
import { StackError } from "../errors.ts";
import { nodePorts, type StackSettings } from "../settings.ts";
import { JVM_STOP_TIMEOUT_MS, sharedArchiveArgs } from "../jvm.ts";

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, not starting with "-". */
export function randomClusterId(): string {
  while (true) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
    if (!id.startsWith("-")) return id;
  }
}

/** Writes the log4j2 configuration shared by the JVM services and returns its path. */
export async function writeLog4j(settings: StackSettings): Promise<string> {
  const file = `${confDir(settings)}/log4j2.properties`;
  await Deno.writeTextFile(file, log4j2Properties());
  return file;
}

const logOffsets = new Map<string, number>();

const clusterIds = new Map<string, Promise<string>>();

/** The cluster id shared by every node, kept in a file and created once on first use. */
function clusterId(settings: StackSettings): Promise<string> {
  const file = `${settings.stackDir}/kafka-cluster-id`;
  if (!clusterIds.has(file)) clusterIds.set(file, readOrCreateClusterId(file));
  return clusterIds.get(file)!;
}

async function readOrCreateClusterId(file: string): Promise<string> {
  try {
    return (await Deno.readTextFile(file)).trim();
  } catch {
    const id = randomClusterId();
    await Deno.writeTextFile(file, `${id}\n`);
    return id;
  }
}

/**
 * KRaft node `id` of a cluster of `settings.brokers`. A single node is the service "kafka" with
 * its data in `.stack/kafka`; the nodes of a cluster are "kafka-1", "kafka-2", ...
 */
export function kafkaNode(id: number, brokers: number): Service {
  const name = brokers === 1 ? "kafka" : `kafka-${id}`;
  const dataDir = (s: StackSettings) =>
    brokers === 1 ? `${s.stackDir}/kafka/data` : `${s.stackDir}/${name}/data`;
  return {
    name,
    ports: id === 1 ? ["kafka", "kafkaController"] : [],
    listenPorts: (s) => [nodePorts(s, id).broker, nodePorts(s, id).controller],
    url: (s) => `${s.host}:${nodePorts(s, id).broker}`,
    logFile: (s) => serviceLog(s, name),
    readyTimeoutMs: 90_000,
    stopTimeoutMs: JVM_STOP_TIMEOUT_MS,
    prepare: async (ctx) => {
      await ctx.java(17);
    },
    start: async (ctx) => {
      const { settings } = ctx;
      const [{ java, major }, paths] = await Promise.all([ctx.java(17), ctx.components()]);
      const properties = `${confDir(settings)}/${name}.properties`;
      await Deno.mkdir(dataDir(settings), { recursive: true });
      await Deno.writeTextFile(
        properties,
        kafkaPropertiesFor(settings, kafkaServerProperties(settings, dataDir(settings), id)),
      );
      const log4j = await writeLog4j(settings);
      const jvm = [`-Dlog4j2.configurationFile=${log4j}`, "-cp", `${paths.kafkaLibs}/*`];
      if (!(await fileSize(`${dataDir(settings)}/meta.properties`))) {
        ctx.progress(`${name}: formatting storage (first start)`);
        const format = await new Deno.Command(java, {
          args: [
            ...jvm,
            "kafka.tools.StorageTool",
            "format",
            ...(brokers === 1 ? ["--standalone"] : []),
            "-t",
            brokers === 1 ? randomClusterId() : await clusterId(settings),
            "-c",
            properties,
            ...scramFormatArgs(settings),
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        if (!format.success) {
          const text = new TextDecoder().decode(format.stdout) +
            new TextDecoder().decode(format.stderr);
          throw new StackError(
            `${name} storage format failed: ${text.trim().split("\n").at(-1)}`,
          );
        }
      }
      const logFile = serviceLog(settings, name);
      logOffsets.set(name, await fileSize(logFile));
      return spawnDetached({
        cmd: java,
        args: [
          brokers === 1 ? "-Xmx1g" : "-Xmx512m",
          "-Xms256m",
          ...await sharedArchiveArgs(settings.stackDir, name, major),
          ...jvm,
          "kafka.Kafka",
          properties,
        ],
        logFile,
      });
    },
    healthy: async (s) =>
      await isListening(s.host, nodePorts(s, id).broker) &&
      await logContains(serviceLog(s, name), "Kafka Server started", logOffsets.get(name) ?? 0),
  };
}

/** The single-node broker of the default stack. */
export const kafka: Service = kafkaNode(1, 1);
