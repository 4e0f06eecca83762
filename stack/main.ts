/**
 * The local stack without Docker: PostgreSQL, Kafka (KRaft), Apicurio Registry, Kafka Connect
 * with Debezium, and the project's REST proxy, as processes on 127.0.0.1.
 *
 *   deno task stack up [--brokers 3] [--secure] | status | logs <service> [-f] [-n lines] | down [--wipe]
 *
 * `--secure` creates a stack whose Kafka accepts only SASL_SSL with SCRAM-SHA-512 (stack/secure.ts).
 * `--brokers 3` (or KAFKA_BROKERS=3) runs a cluster of three KRaft nodes with a three-voter
 * quorum instead of one node. The stack remembers its size in `.stack/brokers` and writes the
 * client environment of the running stack (bootstrap list, replication factor) to `.stack/env`:
 * `set -a; . .stack/env; set +a` points every stage at it.
 */
import { ensureStationsConnector } from "../lib/connector.ts";
import { parseCommand, UsageError } from "./cli.ts";
import { clientEnv, stackConfig } from "./client_env.ts";
import { StackError } from "./errors.ts";
import { fetchComponents } from "./fetch.ts";
import { findJava, type JavaCandidate } from "./java.ts";
import { groupMembers, isAlive, isListening, stopGroup, waitUntil } from "./process.ts";
import {
  confDir,
  logDir,
  pidFile,
  portsOf,
  runDir,
  type Service,
  type StackContext,
} from "./service.ts";
import { connect } from "./services/connect.ts";
import { kafkaNode } from "./services/kafka.ts";
import { postgres } from "./services/postgres.ts";
import { registry } from "./services/registry.ts";
import { restProxy } from "./services/rest_proxy.ts";
import {
  loadStackSettings,
  nodeIds,
  nodePorts,
  parseBrokers,
  portVariable,
  type StackSettings,
} from "./settings.ts";
import { controllerToolArgs, enableSecureMode, isSecure, secureBanner } from "./secure.ts";
import { connectorState, observe, type Observed, printStatus, servicePid } from "./status.ts";

/** Start order: each phase's services start in parallel once the previous phase is healthy. */
function phases(s: StackSettings): Service[][] {
  const nodes = nodeIds(s).map((id) => kafkaNode(id, s.brokers));
  return [[postgres, ...nodes, registry], [connect, restProxy]];
}
const services = (s: StackSettings) => phases(s).flat();
const isKafkaNode = (service: Service) => service.name.startsWith("kafka");

const repoDir = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

function progress(message: string): void {
  console.error(`· ${message}`);
}

function memo<K, V>(make: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const cache = new Map<K, Promise<V>>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, make(key));
    return cache.get(key)!;
  };
}

function context(settings: StackSettings): StackContext {
  const components = memo(() => fetchComponents(settings, progress));
  const java = memo<string, JavaCandidate>(async (key) => {
    const [min, home] = key.split("|");
    const found = await findJava(Number(min), home || undefined);
    return found;
  });
  return {
    settings,
    components: () => components(undefined),
    java: (min, home) => java(`${min}|${home ?? ""}`),
    progress,
  };
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    const text = await Deno.readTextFile(file);
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function ensurePortsFree(service: Service, s: StackSettings): Promise<void> {
  for (const port of portsOf(service, s)) {
    if (await isListening(s.host, port)) {
      const key = (Object.keys(s.ports) as (keyof StackSettings["ports"])[])
        .find((k) => s.ports[k] === port);
      const fix = key ? `set ${portVariable(key)} to a free port` : "shift KAFKA_PORT";
      throw new StackError(
        `port ${port} for ${service.name} is already in use by another process: stop it or ${fix}`,
      );
    }
  }
}

async function startService(service: Service, ctx: StackContext): Promise<Observed> {
  const s = ctx.settings;
  const before = await observe(service, s);
  if (before.missing) return before;
  if (before.healthy) return before;
  if (!before.alive) {
    await ensurePortsFree(service, s);
    const started = performance.now();
    const pid = await service.start(ctx);
    await Deno.writeTextFile(pidFile(s, service.name), `${pid}\n`);
    const ready = await waitUntil(async () => {
      if (!isAlive(pid)) throw await exited(service, s);
      return await service.healthy(s);
    }, service.readyTimeoutMs);
    if (!ready) throw await notHealthy(service, s);
    progress(`${service.name} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await service.afterStart?.(ctx);
  } else {
    // Running but not healthy yet: another `up` may be starting it.
    const ready = await waitUntil(() => service.healthy(s), service.readyTimeoutMs);
    if (!ready) throw await notHealthy(service, s);
  }
  return await observe(service, s);
}

async function exited(service: Service, s: StackSettings): Promise<StackError> {
  const log = await service.logFile(s);
  return new StackError(
    `${service.name} exited during start (log ${log}):\n${await tail(log, 8)}`,
  );
}

async function notHealthy(service: Service, s: StackSettings): Promise<StackError> {
  const log = await service.logFile(s);
  return new StackError(
    `${service.name} did not become healthy within ${service.readyTimeoutMs / 1000} s ` +
      `(log ${log}); \`deno task stack down\` stops it:\n${await tail(log, 8)}`,
  );
}

/** Starts the stack, or only the named services (`up postgres`), each when not running. */
async function up(s: StackSettings, only: string[] = []): Promise<number> {
  const unknown = only.filter((name) => !services(s).some((svc) => svc.name === name));
  if (unknown.length > 0) throw new StackError(`no service ${unknown.join(", ")} in this stack`);
  const chosen = (svc: Service) => only.length === 0 || only.includes(svc.name);
  const started = performance.now();
  for (const dir of [runDir(s), logDir(s), confDir(s)]) await Deno.mkdir(dir, { recursive: true });
  await recordClusterSize(s);
  const ctx = context(s);
  // Prerequisites first, so that a missing one costs nothing and names the fix.
  const toStart = (await Promise.all(services(s).filter(chosen).map((svc) => observe(svc, s))))
    .filter((o) => !o.alive && !o.missing).map((o) => o.service);
  for (const service of toStart) await service.prepare?.(ctx);
  for (const service of toStart) await ensurePortsFree(service, s);
  if (toStart.some((svc) => svc !== postgres && svc !== restProxy)) await ctx.components();
  // Connect and the REST proxy need only Kafka: they start as soon as the Kafka nodes are
  // healthy, while PostgreSQL and the registry may still be starting.
  const [base, clients] = phases(s);
  const baseStarts = base.filter(chosen).map((svc) => ({ svc, ready: startService(svc, ctx) }));
  const kafkaReady = Promise.all(baseStarts.filter((b) => isKafkaNode(b.svc)).map((b) => b.ready));
  const clientStarts = clients.filter(chosen).map((svc) =>
    kafkaReady.then(() => startService(svc, ctx))
  );
  // Failures surface from the awaits below, in start order.
  for (const started of [kafkaReady, ...clientStarts]) started.catch(() => {});
  const results: Observed[] = [
    ...await Promise.all(baseStarts.map((b) => b.ready)),
    ...await Promise.all(clientStarts),
  ];
  let connector = "RUNNING";
  if (chosen(connect)) {
    try {
      await ensureStationsConnector(stackConfig(s));
    } catch (error) {
      connector = `failed: ${error instanceof Error ? error.message : error}`;
    }
  }
  printStatus(s, results, connector);
  if (s.brokers > 1 && only.length === 0) console.log(await controllerLine(s, ctx));
  if (isSecure(s)) console.log(secureBanner(s));
  console.log(`up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return connector === "RUNNING" ? 0 : 1;
}

async function status(s: StackSettings): Promise<number> {
  const observed = await Promise.all(services(s).map((svc) => observe(svc, s)));
  const connectUp = observed.find((o) => o.service === connect)?.healthy;
  printStatus(s, observed, connectUp ? await connectorState(s) : "-");
  if (observed.some((o) => isKafkaNode(o.service) && o.alive)) {
    console.log(await controllerLine(s, context(s)));
  }
  return observed.every((o) => o.healthy || o.missing) ? 0 : 1;
}

async function down(s: StackSettings, wipe: boolean): Promise<number> {
  // Reverse start order: clients of Kafka and PostgreSQL go first.
  for (const phase of [...phases(s)].reverse()) {
    await Promise.all(phase.map(async (service) => {
      const pid = await servicePid(service, s);
      if (pid !== undefined && (isAlive(pid) || groupMembers(pid).length > 0)) {
        const how = await stopGroup(
          pid,
          service.stopSignal ?? "SIGTERM",
          service.stopTimeoutMs ?? 20_000,
        );
        progress(`${service.name} (pid ${pid}) ${how}`);
      }
      await Deno.remove(pidFile(s, service.name)).catch(() => {});
    }));
  }
  const busy: string[] = [];
  for (const service of services(s)) {
    for (const port of portsOf(service, s)) {
      if (await isListening(s.host, port)) busy.push(`${port} (${service.name})`);
    }
  }
  await Deno.remove(envFile(s)).catch(() => {});
  if (wipe) {
    const pgRoot = await Deno.readLink(`${s.stackDir}/postgres`).catch(() => undefined);
    if (pgRoot) await Deno.remove(pgRoot, { recursive: true }).catch(() => {});
    await Deno.remove(s.stackDir, { recursive: true }).catch(() => {});
    progress(`wiped ${s.stackDir}`);
  }
  if (busy.length > 0) {
    console.error(`still listening, not started by this stack: ${busy.join(", ")}`);
    return 1;
  }
  console.log("stack stopped");
  return 0;
}

async function logs(
  s: StackSettings,
  { service: name, follow, lines }: { service?: string; follow: boolean; lines: string },
): Promise<number> {
  const service = services(s).find((svc) => svc.name === name);
  if (!service) {
    throw new StackError(
      `usage: deno task stack logs <${
        services(s).map((svc) => svc.name).join("|")
      }> [-f] [-n lines]`,
    );
  }
  const file = await service.logFile(s);
  const tailArgs = ["-n", lines, ...(follow ? ["-F"] : []), file];
  const child = new Deno.Command("tail", { args: tailArgs }).spawn();
  return (await child.status).code;
}

const sizeFile = (s: StackSettings) => `${s.stackDir}/brokers`;
const envFile = (s: StackSettings) => `${s.stackDir}/env`;

async function recordedSize(s: StackSettings): Promise<number | undefined> {
  try {
    return parseBrokers((await Deno.readTextFile(sizeFile(s))).trim());
  } catch {
    return undefined;
  }
}

/** Remembers the cluster size (fixed once formatted) and writes the client environment. */
async function recordClusterSize(s: StackSettings): Promise<void> {
  const recorded = await recordedSize(s);
  if (recorded !== undefined && recorded !== s.brokers) {
    throw new StackError(
      `the stack in ${s.stackDir} has ${recorded} broker(s), not ${s.brokers}: ` +
        "`deno task stack down --wipe` first to change its size",
    );
  }
  await Deno.mkdir(s.stackDir, { recursive: true });
  await Deno.writeTextFile(sizeFile(s), `${s.brokers}\n`);
  const env = Object.entries(clientEnv(s)).map(([key, value]) => `${key}=${value}`);
  await Deno.writeTextFile(envFile(s), env.join("\n") + "\n");
}

/** Which node leads the controller quorum, from Kafka's own metadata quorum tool. */
async function controllerLine(s: StackSettings, ctx: StackContext): Promise<string> {
  const leader = await activeController(s, ctx).catch((e) => `unknown (${e.message})`);
  const voters = nodeIds(s).map((id) => `${id}@${s.host}:${nodePorts(s, id).controller}`);
  return `controller quorum: ${voters.join(", ")}; active controller: ${leader}`;
}

async function activeController(s: StackSettings, ctx: StackContext): Promise<string> {
  const [{ java }, paths] = await Promise.all([ctx.java(17), ctx.components()]);
  const controllers = nodeIds(s).map((id) => `${s.host}:${nodePorts(s, id).controller}`);
  const output = await new Deno.Command(java, {
    args: [
      "-cp",
      `${paths.kafkaLibs}/*`,
      "-Dlog4j2.level=error",
      "org.apache.kafka.tools.MetadataQuorumCommand",
      "--bootstrap-controller",
      controllers.join(","),
      ...await controllerToolArgs(s),
      "describe",
      "--status",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  const leader = /^LeaderId:\s*(\d+)/m.exec(text)?.[1];
  if (!leader) throw new Error("no leader reported");
  const service = s.brokers === 1 ? "kafka" : `kafka-${leader}`;
  return `node ${leader} (${service}, ${s.host}:${nodePorts(s, Number(leader)).broker})`;
}

async function main(args: string[]): Promise<number> {
  const base = loadStackSettings(repoDir);
  const command = parseCommand(args);
  // --brokers, else KAFKA_BROKERS (already in `base`), else the size the stack recorded.
  const brokers = command.brokers ??
    (Deno.env.get("KAFKA_BROKERS") ? base.brokers : (await recordedSize(base)) ?? 1);
  const settings = loadStackSettings(
    repoDir,
    (name) => name === "KAFKA_BROKERS" ? String(brokers) : Deno.env.get(name),
  );
  switch (command.name) {
    case "up":
      if (command.secure) await enableSecureMode(settings, progress);
      return await up(settings, command.services);
    case "status":
      return await status(settings);
    case "down":
      return await down(settings, command.wipe);
    case "logs":
      return await logs(settings, command);
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      Deno.exit(2);
    }
    if (error instanceof StackError) {
      console.error(`error: ${error.message}`);
      Deno.exit(1);
    }
    throw error;
  }
}
