/** Kafka Connect in distributed mode, with the Debezium PostgreSQL connector on its plugin path. */
import { connectWorkerProperties } from "../configs.ts";
import { spawnDetached } from "../process.ts";
import { confDir, httpOk, type Service, serviceLog } from "../service.ts";
import { connectSecurityProperties } from "../secure.ts";
import { writeLog4j } from "./kafka.ts";
import { JVM_STOP_TIMEOUT_MS, LIGHT_SERVICE_ARGS, sharedArchiveArgs } from "../jvm.ts";

export const connect: Service = {
  name: "connect",
  ports: ["connect"],
  url: (s) => `http://${s.host}:${s.ports.connect}`,
  logFile: (s) => serviceLog(s, "connect"),
  readyTimeoutMs: 120_000,
  stopTimeoutMs: JVM_STOP_TIMEOUT_MS,
  prepare: async (ctx) => {
    await ctx.java(17);
  },
  start: async (ctx) => {
    const { settings } = ctx;
    const [{ java, major }, paths] = await Promise.all([ctx.java(17), ctx.components()]);
    const worker = `${confDir(settings)}/connect.properties`;
    await Deno.writeTextFile(
      worker,
      connectWorkerProperties(settings, paths.connectPlugins) + connectSecurityProperties(settings),
    );
    const log4j = await writeLog4j(settings);
    return spawnDetached({
      cmd: java,
      args: [
        "-Xmx512m",
        ...LIGHT_SERVICE_ARGS,
        ...await sharedArchiveArgs(settings.stackDir, "connect", major),
        `-Dlog4j2.configurationFile=${log4j}`,
        "-cp",
        `${paths.connectLibs}/*`,
        "org.apache.kafka.connect.cli.ConnectDistributed",
        worker,
      ],
      logFile: serviceLog(settings, "connect"),
    });
  },
  healthy: (s) => httpOk(`http://${s.host}:${s.ports.connect}/connectors`),
};
