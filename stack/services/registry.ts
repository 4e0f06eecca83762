/** Apicurio Registry with its Confluent-compatible API, on persistent H2 storage. */
import { spawnDetached } from "../process.ts";
import { httpOk, type Service, serviceLog } from "../service.ts";
import { registrySecurityArgs } from "../secure.ts";
import type { StackSettings } from "../settings.ts";
import { JVM_STOP_TIMEOUT_MS, LIGHT_SERVICE_ARGS, sharedArchiveArgs } from "../jvm.ts";

export function registryJvmArgs(settings: StackSettings): string[] {
  const { host, ports, stackDir } = settings;
  return [
    "-Xmx512m",
    `-Dquarkus.http.host=${host}`,
    `-Dquarkus.http.port=${ports.registry}`,
    `-Dquarkus.management.host=${host}`,
    `-Dquarkus.management.port=${ports.registryManagement}`,
    "-Dquarkus.log.console.color=false",
    "-Dapicurio.storage.kind=sql",
    "-Dapicurio.storage.sql.kind=h2",
    `-Dapicurio.datasource.url=jdbc:h2:file:${stackDir}/registry/registry`,
    "-jar",
    "quarkus-run.jar",
  ];
}

export const registry: Service = {
  name: "registry",
  ports: ["registry", "registryManagement"],
  url: (s) => `http://${s.host}:${s.ports.registry}/apis/ccompat/v7`,
  logFile: (s) => serviceLog(s, "registry"),
  readyTimeoutMs: 120_000,
  stopTimeoutMs: JVM_STOP_TIMEOUT_MS,
  prepare: async (ctx) => {
    await ctx.java(21, "JAVA21_HOME");
  },
  start: async (ctx) => {
    const [{ java, major }, paths] = await Promise.all([
      ctx.java(21, "JAVA21_HOME"),
      ctx.components(),
    ]);
    await Deno.mkdir(`${ctx.settings.stackDir}/registry`, { recursive: true });
    return spawnDetached({
      cmd: java,
      args: [
        ...LIGHT_SERVICE_ARGS,
        ...await sharedArchiveArgs(ctx.settings.stackDir, "registry", major),
        ...await registrySecurityArgs(ctx.settings),
        ...registryJvmArgs(ctx.settings),
      ],
      cwd: paths.registryApp,
      logFile: serviceLog(ctx.settings, "registry"),
    });
  },
  healthy: (s) => httpOk(`http://${s.host}:${s.ports.registryManagement}/health/ready`),
};
