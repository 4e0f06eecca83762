/**
 * Fault injection over the whole pipeline, with exact counts checked at the end.
 *
 *   deno task chaos                 # one broker, on an isolated stack of its own
 *   deno task chaos:cluster         # three brokers
 *   deno task chaos --help
 *
 * It brings up a stack in its own directory on shifted ports (never the default stack), runs a
 * seeded simulation with every stage and the dashboard, injects the faults, prints a table of
 * them and of the checks, stops everything it started and exits 0 only if every check passed.
 */
import { parseArgs } from "node:util";
import type { Kafka } from "kafkajs";
import pg from "pg";
import { deadLetterSpec, ensureTopics, topicSpec } from "../lib/admin.ts";
import { type Config, loadConfig } from "../lib/config.ts";
import { ensureStationsConnector } from "../lib/connector.ts";
import { createKafka } from "../lib/kafka.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { createRegistry } from "../lib/registry.ts";
import { AvroDecoder } from "../lib/wire_format.ts";
import { parseSummaryValue } from "../pipeline/turnstile_summary.ts";
import type { StationRow } from "../pipeline/station_transform.ts";
import type { SimulationReport } from "../pipeline/sim/report.ts";
import { Random } from "../pipeline/sim/prng.ts";
import { isAlive, readPid, stopGroup } from "../stack/process.ts";
import { pidFile } from "../stack/service.ts";
import { postgres } from "../stack/services/postgres.ts";
import { clientEnv, loadStackSettings, type StackSettings } from "../stack/settings.ts";
import {
  type Check,
  compareCounts,
  compareDeadLetters,
  compareRename,
  compareStations,
  compareWeather,
  expectedStations,
  latestByKey,
} from "./checks.ts";
import { type Child, denoRun } from "./processes.ts";
import { checkTable, exitCode, type FaultRecord, faultTable, killSchedule } from "./report.ts";
import { isolatedStackEnv } from "./stack_env.ts";
import { SseReader } from "./sse_client.ts";
import { pgClientConfig } from "../lib/postgres.ts";

const HELP = `Usage: deno task chaos [options]

  --brokers N         1 (default) or 3: the size of the Kafka cluster
  --steps N           simulation steps (default 60)
  --step-seconds S    real seconds per step (default 1.5)
  --step-minutes M    simulated minutes per step (default 15)
  --seed N            seed of the simulation and of the fault schedule (default 42)
  --summary-kills N   SIGKILLs of the turnstile summary (default 10)
  --keep              leave the isolated stack running (it is wiped otherwise)

Environment: STACK_DIR and the stack's port variables choose the isolated stack; by default it
lives in .stack/chaos-<brokers> with every port shifted by CHAOS_PORT_SHIFT (600, or 700 for a
cluster).`;

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const INJECTED_TURNSTILE_GARBAGE = 3;

interface Options {
  brokers: number;
  steps: number;
  stepSeconds: number;
  stepMinutes: number;
  seed: number;
  summaryKills: number;
  keep: boolean;
}

function parseOptions(args: string[]): Options | null {
  const { values } = parseArgs({
    args,
    options: {
      brokers: { type: "string", default: "1" },
      steps: { type: "string", default: "60" },
      "step-seconds": { type: "string", default: "1.5" },
      "step-minutes": { type: "string", default: "15" },
      seed: { type: "string", default: "42" },
      "summary-kills": { type: "string", default: "10" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return null;
  return {
    brokers: Number(values.brokers),
    steps: Number(values.steps),
    stepSeconds: Number(values["step-seconds"]),
    stepMinutes: Number(values["step-minutes"]),
    seed: Number(values.seed),
    summaryKills: Number(values["summary-kills"]),
    keep: values.keep,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withRetries<T>(what: string, action: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= attempts) throw error;
      say(`${what}: ${(error as Error).message}; retry ${attempt}`);
      await sleep(2000);
    }
  }
}

function say(line: string): void {
  console.log(`chaos: ${line}`);
}

class Run {
  readonly started = performance.now();
  readonly faults: FaultRecord[] = [];
  readonly children: Child[] = [];
  readonly kafka: Kafka;

  constructor(
    readonly options: Options,
    readonly settings: StackSettings,
    readonly stackEnv: Record<string, string>,
    readonly env: Record<string, string>,
    readonly config: Config,
    readonly logDir: string,
  ) {
    this.kafka = createKafka("chaos", config.kafka);
  }

  get elapsed(): number {
    return performance.now() - this.started;
  }

  async stack(...args: string[]): Promise<void> {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-P=stack", "stack/main.ts", ...args],
      cwd: ROOT,
      env: this.stackEnv,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    await Deno.writeTextFile(`${this.logDir}/stack.log`, `$ stack ${args.join(" ")}\n${text}`, {
      append: true,
    });
    if (!output.success) throw new Error(`stack ${args.join(" ")} failed:\n${text.slice(-1500)}`);
  }

  start(name: string, permissions: string, script: string, args: string[] = []): Child {
    const child = denoRun(name, permissions, script, args, this.env, this.logDir);
    this.children.push(child);
    return child;
  }

  record(fault: string, atMs: number, recoveredMs: number | undefined, verified: string): void {
    this.faults.push({ fault, atMs, recoveredMs, verified });
    const recovered = recoveredMs === undefined
      ? ""
      : `, recovered in ${(recoveredMs / 1000).toFixed(1)} s`;
    say(`${fault} at +${(atMs / 1000).toFixed(1)} s${recovered}: ${verified}`);
  }

  async stopStackService(name: string, signal: Deno.Signal = "SIGTERM"): Promise<void> {
    const pid = name === "postgres"
      ? await postgres.pid!(this.settings)
      : await readPid(pidFile(this.settings, name));
    if (pid === undefined || !isAlive(pid)) throw new Error(`${name} is not running`);
    await stopGroup(pid, signal, 20_000);
  }
}

/** Restarts the summary instance `index` after a SIGKILL; resolves with the recovery time. */
async function killSummary(run: Run, slot: { child: Child }, n: number): Promise<void> {
  const at = run.elapsed;
  await slot.child.kill("SIGKILL");
  slot.child = run.start(`summary-a-${n + 1}`, "client", "pipeline/summary/main.ts");
  let recovered: number | undefined;
  try {
    // Counting again: rejoined, fenced the killed instance's producers and restored a task.
    recovered = await slot.child.waitFor(/ready at offset/, 60_000);
  } catch (error) {
    say(`summary restart ${n + 1}: ${(error as Error).message}`);
  }
  run.record(
    `SIGKILL turnstile summary (${n + 1}/${run.options.summaryKills})`,
    at,
    recovered === undefined ? undefined : run.elapsed - at,
    recovered === undefined ? "restart did not rejoin" : "restarted, counting again",
  );
}

async function dashboardState(run: Run): Promise<
  { turnstiles: Record<string, number>; text: string } | null
> {
  try {
    const response = await fetch(
      `http://127.0.0.1:${run.config.dashboard.port}/api/state`,
      { signal: AbortSignal.timeout(3000) },
    );
    const text = await response.text();
    if (!response.ok) return null;
    const body = JSON.parse(text);
    return { turnstiles: body.state.turnstiles, text };
  } catch {
    return null;
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(250);
  }
  return false;
}

async function stationRows(config: Config): Promise<StationRow[]> {
  const db = new pg.Client(pgClientConfig(config.postgres));
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT stop_id, station_id, station_name, "order", red, blue, green FROM stations`,
    );
    return rows as StationRow[];
  } finally {
    await db.end();
  }
}

async function renameStation(config: Config, stationId: number, name: string): Promise<void> {
  const db = new pg.Client(pgClientConfig(config.postgres));
  await db.connect();
  try {
    await db.query("UPDATE stations SET station_name = $1 WHERE station_id = $2", [
      name,
      stationId,
    ]);
  } finally {
    await db.end();
  }
}

async function readAll(
  kafka: Kafka,
  topic: string,
): Promise<{ key: Uint8Array | null; value: Uint8Array | null }[]> {
  const records: { key: Uint8Array | null; value: Uint8Array | null }[] = [];
  await readToEnd(kafka, topic, (_p, m) => records.push({ key: m.key, value: m.value }), {
    readCommitted: true,
    timeoutMs: 120_000,
  });
  return records;
}

const text = (bytes: Uint8Array | null) => bytes === null ? null : new TextDecoder().decode(bytes);

async function summaryCounts(run: Run): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const record of await readAll(run.kafka, run.config.topics.turnstileSummary)) {
    const summary = parseSummaryValue(text(record.value));
    if (summary) counts.set(summary.STATION_ID, summary.COUNT);
  }
  return counts;
}

async function turnstileLeader(run: Run): Promise<number> {
  const admin = run.kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [run.config.topics.turnstiles] });
    const leaders = new Map<number, number>();
    for (const p of topics[0].partitions) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
    return [...leaders].sort((a, b) => b[1] - a[1])[0][0];
  } finally {
    await admin.disconnect();
  }
}

const stepsDone = (sim: Child) => (sim.output().match(/ step \d+:/g) ?? []).length;

/** When each of the other faults starts, in ms after the simulation started. */
const FAULT_START_MS = {
  zombie: 5_000,
  registry: 10_000,
  stations: 3_000,
  broker: 8_000,
  restProxy: 15_000,
  connect: 22_000,
  dashboard: 35_000,
};

/**
 * The faults other than the summary kills. Each starts at its own moment while the simulation
 * runs and they overlap, as real failures do; each records when it recovered.
 */
async function faultTracks(
  run: Run,
  stages: { stations: Child; dashboard: Child; zombie: Child },
  sim: Child,
  sse: SseReader,
  rename: { stationId: number; name: string },
): Promise<void> {
  const { options } = run;
  const base = run.elapsed;
  const startAt = (ms: number) => sleep(Math.max(0, base + ms - run.elapsed));

  const stationsTrack = async () => {
    await startAt(FAULT_START_MS.stations);
    const at = run.elapsed;
    await stages.stations.kill("SIGKILL");
    stages.stations = run.start("stations-2", "client", "pipeline/stations.ts");
    const back = await stages.stations.waitFor(/caught up with/, 120_000).then(
      () => run.elapsed - at,
      () => undefined,
    );
    run.record("SIGKILL stations stage", at, back, "restarted, caught up with its input");
  };

  const brokerTrack = async () => {
    if (options.brokers < 2) return;
    await startAt(FAULT_START_MS.broker);
    const leader = await turnstileLeader(run);
    const at = run.elapsed;
    const stepsBefore = stepsDone(sim);
    const pid = await readPid(pidFile(run.settings, `kafka-${leader}`));
    if (pid === undefined) throw new Error(`no pid for kafka-${leader}`);
    Deno.kill(pid, "SIGKILL");
    await sleep(10_000);
    await run.stack("up", `kafka-${leader}`);
    const steps = stepsDone(sim) - stepsBefore;
    run.record(
      `SIGKILL broker ${leader} (leader of the turnstile partitions), restart after 10 s`,
      at,
      run.elapsed - at,
      `simulation completed ${steps} steps until it was back${sim.running ? "" : " (and ended)"}`,
    );
  };

  const registryTrack = async () => {
    await startAt(FAULT_START_MS.registry);
    const at = run.elapsed;
    await run.stopStackService("registry", "SIGKILL");
    await sleep(15_000);
    await run.stack("up", "registry");
    run.record(
      "schema registry SIGKILLed, restarted after 15 s",
      at,
      run.elapsed - at,
      "healthy again; the DLQ check below shows no good record dead-lettered",
    );
  };

  const zombieTrack = async () => {
    await startAt(FAULT_START_MS.zombie);
    const at = run.elapsed;
    const joins = () => (stages.zombie.output().match(/assigned partitions \[/g) ?? []).length;
    const before = joins();
    Deno.kill(stages.zombie.pid, "SIGSTOP");
    // Past the 10 s session timeout: the group gives its partitions to the other instance.
    await sleep(15_000);
    Deno.kill(stages.zombie.pid, "SIGCONT");
    const rejoined = await waitUntil(() => Promise.resolve(joins() > before), 60_000);
    run.record(
      "summary instance SIGSTOPped for 15 s, past its session timeout, then resumed",
      at,
      rejoined ? run.elapsed - at : undefined,
      rejoined ? "resumed zombie was fenced and rejoined the group" : "zombie never rejoined",
    );
  };

  const restProxyTrack = async () => {
    await startAt(FAULT_START_MS.restProxy);
    const at = run.elapsed;
    const failures = () => (sim.output().match(/weather: POST .* failed/g) ?? []).length;
    const before = failures();
    await run.stopStackService("rest-proxy");
    await sleep(10_000);
    await run.stack("up", "rest-proxy");
    const retries = failures() - before;
    run.record(
      "REST proxy stopped for 10 s",
      at,
      run.elapsed - at,
      `weather producer logged ${retries} retr${retries === 1 ? "y" : "ies"}`,
    );
  };

  const connectTrack = async () => {
    await startAt(FAULT_START_MS.connect);
    const at = run.elapsed;
    await run.stopStackService("connect");
    await run.stopStackService("postgres", "SIGINT");
    await run.stack("up", "postgres");
    await renameStation(run.config, rename.stationId, rename.name);
    await run.stack("up", "connect");
    const arrived = await waitUntil(
      async () => (await dashboardState(run))?.text.includes(JSON.stringify(rename.name)) ?? false,
      180_000,
    );
    run.record(
      "Kafka Connect stopped, PostgreSQL restarted, station renamed, Connect started",
      at,
      arrived ? run.elapsed - at : undefined,
      arrived ? `rename of ${rename.stationId} reached the dashboard` : "rename never arrived",
    );
  };

  const dashboardTrack = async () => {
    await startAt(FAULT_START_MS.dashboard);
    const at = run.elapsed;
    const connectionsBefore = sse.connections;
    await stages.dashboard.kill("SIGTERM");
    stages.dashboard = run.start("dashboard-2", "serve", "main.ts");
    const back = await waitUntil(
      () => Promise.resolve(sse.connections > connectionsBefore && sse.lastEventAt > at),
      120_000,
    );
    run.record(
      "dashboard server restarted",
      at,
      back ? run.elapsed - at : undefined,
      back
        ? `SSE reader reconnected by itself (${sse.connections} connections, ${sse.snapshots} snapshots)`
        : "SSE reader did not reconnect",
    );
  };

  await Promise.all([
    zombieTrack(),
    registryTrack(),
    stationsTrack(),
    brokerTrack(),
    restProxyTrack(),
    connectTrack(),
    dashboardTrack(),
  ]);
}

async function main(options: Options): Promise<number> {
  const stackEnv = isolatedStackEnv(Deno.env.toObject(), options.brokers);
  const settings = loadStackSettings(ROOT, (name) => stackEnv[name]);
  const namespace = `chaos-${options.seed}-${crypto.randomUUID().slice(0, 6)}.`;
  const dashboardPort = String(8888 + Number(stackEnv.CHAOS_PORT_SHIFT ?? 0));
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    ...clientEnv(settings),
    TOPIC_NAMESPACE: namespace,
    DASHBOARD_PORT: dashboardPort,
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
  };
  const config = loadConfig((name) => env[name]);
  // Outside the stack directory, which `down --wipe` removes.
  const logDir = `${ROOT}/.stack/chaos-logs/${namespace.slice(0, -1)}`;
  await Deno.mkdir(logDir, { recursive: true });
  const run = new Run(options, settings, stackEnv, env, config, logDir);
  say(`${options.brokers} broker(s), stack ${settings.stackDir}, logs ${logDir}`);

  const checks: Check[] = [];
  let sse: SseReader | undefined;
  try {
    const upStart = run.elapsed;
    // A freshly started Connect may not answer the connector request in time: `up` again.
    await run.stack("up", "--brokers", String(options.brokers))
      .catch(() => run.stack("up", "--brokers", String(options.brokers)));
    say(`stack up in ${((run.elapsed - upStart) / 1000).toFixed(1)} s`);

    await ensureTopics(run.kafka, config, [
      topicSpec(config, "turnstiles"),
      topicSpec(config, "arrivals"),
      topicSpec(config, "weather"),
    ]);
    const garbage = Array.from(
      { length: INJECTED_TURNSTILE_GARBAGE },
      (_, i) => `chaos: not Avro ${i}`,
    );
    // A topic created a moment ago may not be served yet by a broker that just started.
    await withRetries("injecting malformed turnstile records", async () => {
      const producer = run.kafka.producer({ idempotent: true });
      await producer.connect();
      try {
        await producer.send({
          topic: config.topics.turnstiles,
          acks: -1,
          messages: garbage.map((value, i) => ({ key: `garbage-${i}`, value })),
        });
      } finally {
        await producer.disconnect();
      }
    });

    const random = new Random(options.seed);
    const rows = await stationRows(config);
    const stationIds = [...new Set(rows.map((r) => r.station_id))].sort((a, b) => a - b);
    const renamedId = stationIds[random.int(0, stationIds.length - 1)];
    const rename = {
      stationId: renamedId,
      name: `${rows.find((r) => r.station_id === renamedId)!.station_name} (chaos ${options.seed})`,
    };

    // summary-a is killed again and again; summary-b is the one paused into a zombie.
    const summaries = [
      { child: run.start("summary-a", "client", "pipeline/summary/main.ts") },
      { child: run.start("summary-b", "client", "pipeline/summary/main.ts") },
    ];
    const stages = {
      stations: run.start("stations", "client", "pipeline/stations.ts"),
      dashboard: run.start("dashboard", "serve", "main.ts"),
      zombie: summaries[1].child,
    };
    await stages.dashboard.waitFor(/dashboard on http/, 120_000);
    sse = new SseReader(`http://127.0.0.1:${dashboardPort}`);
    await Promise.all(summaries.map((s) => s.child.waitFor(/counting/, 120_000)));

    await withRetries("stations connector", () => ensureStationsConnector(config));
    const reportFile = `${logDir}/simulation.json`;
    const sim = run.start("simulate", "client", "pipeline/simulate.ts", [
      "--seed",
      String(options.seed),
      "--steps",
      String(options.steps),
      "--step-seconds",
      String(options.stepSeconds),
      "--step-minutes",
      String(options.stepMinutes),
      "--start",
      "2026-11-02",
      "--report",
      reportFile,
      "--no-connector",
    ]);
    const simStarted = run.elapsed;
    const duration = options.steps * options.stepSeconds * 1000;
    const schedule = killSchedule(
      () => random.next(),
      options.summaryKills,
      2000,
      Math.max(duration, options.summaryKills * 2500),
      2000,
    );
    const killing = (async () => {
      for (const [n, moment] of schedule.entries()) {
        await sleep(Math.max(0, simStarted + moment - run.elapsed));
        await killSummary(run, summaries[0], n);
      }
    })();
    await faultTracks(run, stages, sim, sse, rename);
    await killing;
    const simCode = await sim.exited;
    checks.push({
      name: "the simulation finished by itself",
      ok: simCode === 0,
      detail: `exit code ${simCode} after ${stepsDone(sim)} steps`,
    });
    const report = JSON.parse(await Deno.readTextFile(reportFile)) as SimulationReport;
    say(
      `simulation: ${report.totals.turnstiles} turnstile events, ${report.totals.arrivals} ` +
        `arrivals, ${report.totals.weather} weather readings`,
    );

    const expected = new Map(
      Object.entries(report.stations).map(([id, tally]) => [Number(id), tally.turnstiles]),
    );
    const settleStart = run.elapsed;
    let summary = new Map<number, number>();
    await waitUntil(async () => {
      summary = await summaryCounts(run);
      return compareCounts("", expected, summary).ok;
    }, 180_000);
    say(
      `summary settled ${((run.elapsed - settleStart) / 1000).toFixed(1)} s after the simulation`,
    );
    checks.push(
      compareCounts("TURNSTILE_SUMMARY count = entries produced, per station", expected, summary),
    );

    let dashboard = new Map<number, number>();
    await waitUntil(async () => {
      const state = await dashboardState(run);
      dashboard = new Map(
        Object.entries(state?.turnstiles ?? {}).map(([id, n]) => [Number(id), n]),
      );
      return compareCounts("", summary, dashboard).ok;
    }, 60_000);
    checks.push(compareCounts("dashboard /api/state totals = summary", summary, dashboard));
    const browser = new Map(
      Object.entries(sse.state.turnstiles).map(([id, n]) => [Number(id), n]),
    );
    checks.push(compareCounts("reconnected SSE reader's totals = summary", summary, browser));

    const transformed = (await readAll(run.kafka, config.topics.stationsTransformed))
      .map((r) => ({ key: text(r.key) ?? "", value: text(r.value) }));
    const wanted = expectedStations(rows, rename);
    checks.push(compareStations(wanted, latestByKey(transformed)));
    const lines = [...wanted.values()].filter((s) => s.station_id === rename.stationId).length;
    checks.push(compareRename(transformed, rename, lines));

    const decoder = new AvroDecoder(createRegistry(config.registry));
    const weatherRecords = await readAll(run.kafka, config.topics.weather);
    const keys = await decoder.decodeAll<{ timestamp: number }>(
      // deno-lint-ignore no-explicit-any
      weatherRecords.map((r) => r.key as any),
    );
    const seen = keys.flatMap((k) => k instanceof Error ? [] : [Number(k.timestamp)]);
    checks.push(compareWeather(report.weather, seen));

    const turnstileDlq = deadLetterSpec(config, "turnstiles").topic;
    const dlq = (await readAll(run.kafka, turnstileDlq)).map((r) => text(r.value) ?? "");
    checks.push(compareDeadLetters(turnstileDlq, garbage, dlq));
    const stationsDlq = deadLetterSpec(config, "stations").topic;
    const stationsDead = (await readAll(run.kafka, stationsDlq)).map((r) => text(r.value) ?? "");
    checks.push(compareDeadLetters(stationsDlq, [], stationsDead));

    const crashed = [...summaries.map((s) => s.child), stages.stations, stages.dashboard]
      .filter((c) => !c.running).map((c) => c.name);
    checks.push({
      name: "every stage is still running",
      ok: crashed.length === 0,
      detail: crashed.length === 0 ? "summary, stations and dashboard alive" : crashed.join(", "),
    });
  } catch (error) {
    checks.push({ name: "the run completed", ok: false, detail: (error as Error).message });
  } finally {
    await sse?.close();
    await Promise.all(
      run.children.filter((c) => c.running).map(async (c) => {
        const stopped = c.kill("SIGTERM");
        const late = setTimeout(() => c.kill("SIGKILL"), 10_000);
        await stopped;
        clearTimeout(late);
      }),
    );
    if (!options.keep) await run.stack("down", "--wipe").catch((e) => say(e.message));
  }

  console.log(`\nfaults (${run.faults.length}):\n${faultTable(run.faults)}\n`);
  console.log(`checks:\n${checkTable(checks)}\n`);
  const code = exitCode(checks);
  say(code === 0 ? "every check passed" : "some checks FAILED");
  return code;
}

if (import.meta.main) {
  const options = parseOptions(Deno.args);
  if (!options) {
    console.log(HELP);
    Deno.exit(0);
  }
  Deno.exit(await main(options));
}
