/** The Kafka broker: KRaft, broker and controller in one process. */
import { kafkaServerProperties, log4j2Properties } from "../configs.ts";
import { isListening, spawnDetached } from "../process.ts";
import { confDir, fileSize, logContains, type Service, serviceLog } from "../service.ts";
import { StackError, type StackSettings } from "../settings.ts";

const dataDir = (s: StackSettings) => `${s.stackDir}/kafka/data`;

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

let logOffset = 0;

export const kafka: Service = {
  name: "kafka",
  ports: ["kafka", "kafkaController"],
  url: (s) => `${s.host}:${s.ports.kafka}`,
  logFile: (s) => serviceLog(s, "kafka"),
  readyTimeoutMs: 90_000,
  prepare: async (ctx) => {
    await ctx.java(17);
  },
  start: async (ctx) => {
    const { settings } = ctx;
    const [{ java }, paths] = await Promise.all([ctx.java(17), ctx.components()]);
    const properties = `${confDir(settings)}/kafka.properties`;
    await Deno.mkdir(dataDir(settings), { recursive: true });
    await Deno.writeTextFile(properties, kafkaServerProperties(settings, dataDir(settings)));
    const log4j = await writeLog4j(settings);
    const jvm = [`-Dlog4j2.configurationFile=${log4j}`, "-cp", `${paths.kafkaLibs}/*`];
    if (!(await fileSize(`${dataDir(settings)}/meta.properties`))) {
      ctx.progress("kafka: formatting storage (first start)");
      const format = await new Deno.Command(java, {
        args: [
          ...jvm,
          "kafka.tools.StorageTool",
          "format",
          "--standalone",
          "-t",
          randomClusterId(),
          "-c",
          properties,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!format.success) {
        const text = new TextDecoder().decode(format.stdout) +
          new TextDecoder().decode(format.stderr);
        throw new StackError(`kafka storage format failed: ${text.trim().split("\n").at(-1)}`);
      }
    }
    const logFile = serviceLog(settings, "kafka");
    logOffset = await fileSize(logFile);
    return spawnDetached({
      cmd: java,
      args: ["-Xmx1g", "-Xms256m", ...jvm, "kafka.Kafka", properties],
      logFile,
    });
  },
  healthy: async (s) =>
    await isListening(s.host, s.ports.kafka) &&
    await logContains(serviceLog(s, "kafka"), "Kafka Server started", logOffset),
};
