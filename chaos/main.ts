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
 *
 * Each fault is in chaos/tracks/, the readers of the system's state in observe.ts, the verdicts
 * in checks.ts; this file is the run from start to end.
 */
import { deadLetterSpec, ensureTopics, topicSpec } from "../lib/admin.ts";
import { ensureStationsConnector } from "../lib/connector.ts";
import type { SimulationReport } from "../pipeline/sim/report.ts";
import { Random } from "../pipeline/sim/prng.ts";
import {
  type Check,
  compareCounts,
  compareDeadLetters,
  compareRename,
  compareStations,
  compareWeather,
  drawRename,
  expectedStations,
  latestByKey,
  runningCheck,
  simulationCheck,
} from "./checks.ts";
import {
  countsByStation,
  dashboardCounts,
  deadLetters,
  historyCounts,
  LagSampler,
  settledCounts,
  stationRows,
  stepsDone,
  summaryCounts,
  transformedStations,
  weatherTimestamps,
} from "./observe.ts";
import { HELP, type Options, parseOptions, simulateArgs } from "./options.ts";
import { checkTable, exitCode, faultTable, lagOverTime } from "./report.ts";
import { Run, say, withRetries } from "./run.ts";
import { SseReader } from "./sse_client.ts";
import { brokerKill } from "./tracks/broker_kill.ts";
import { connectRestart } from "./tracks/connect_restart.ts";
import { dashboardRestart } from "./tracks/dashboard_restart.ts";
import { registryKill } from "./tracks/registry_kill.ts";
import { restProxyStop } from "./tracks/rest_proxy_stop.ts";
import { stationsKill } from "./tracks/stations_kill.ts";
import { summaryKills } from "./tracks/summary_kills.ts";
import { sigstopZombie } from "./tracks/zombie.ts";
import { STAGES } from "../lib/stages.ts";
import { pollReady } from "../lib/health.ts";
import { groupId } from "../lib/config.ts";

const INJECTED_TURNSTILE_GARBAGE = 3;

async function main(options: Options): Promise<number> {
  const run = await Run.create(options);
  const { config } = run;
  say(`${options.brokers} broker(s), stack ${run.settings.stackDir}, logs ${run.logDir}`);

  const checks: Check[] = [];
  let sse: SseReader | undefined;
  const lagSampler = new LagSampler(run);
  try {
    await run.up();
    const garbage = await createTopicsWithGarbage(run);
    const random = new Random(options.seed);
    const rows = await stationRows(config);
    const rename = drawRename(rows, random, options.seed);

    // summary-a is killed again and again; summary-b is the one paused into a zombie.
    const summaries = [
      { child: run.start("summary-a", STAGES.summary) },
      { child: run.start("summary-b", STAGES.summary) },
    ];
    const stages = {
      stations: run.start("stations", STAGES.stations),
      dashboard: run.start("dashboard", STAGES.dashboard),
    };
    // Two more readers of the same topics, to be kept exact and alive through the same faults.
    const history = run.start("history", STAGES.history);
    const predictions = run.start("predictions", STAGES.predictions);
    const dashboardUrl = `http://127.0.0.1:${run.env.DASHBOARD_PORT}`;
    if (!await pollReady(dashboardUrl, 120_000, () => stages.dashboard.running, "/healthz")) {
      throw new Error("the dashboard did not answer /healthz");
    }
    sse = new SseReader(dashboardUrl);
    lagSampler.start();
    await Promise.all(
      [...summaries.map((s) => s.child), history, predictions].map((c) => c.waitReady(120_000)),
    );
    await withRetries("stations connector", () => ensureStationsConnector(config));
    await stages.stations.waitReady(120_000);

    const reportFile = `${run.logDir}/simulation.json`;
    const sim = run.start(
      "simulate",
      STAGES.simulate,
      simulateArgs(options, reportFile),
    );
    const simStarted = run.elapsed;
    const killing = summaryKills(run, summaries[0], random, simStarted);
    // The other faults start at their own moments while the simulation runs and overlap, as
    // real failures do.
    const base = run.elapsed;
    await Promise.all([
      sigstopZombie(run, summaries[1].child, base + options.zombieAtMs),
      registryKill(run, base + 10_000),
      stationsKill(run, stages, base + 3_000),
      brokerKill(run, sim, base + 8_000), // cluster only
      restProxyStop(run, sim, base + 15_000),
      connectRestart(run, rename, base + 22_000),
      dashboardRestart(run, stages, sse, base + 35_000),
    ]);
    await killing;

    // A simulation still running long after its last step is killed, and the check fails.
    const simulationDeadlineMs = options.steps * options.stepSeconds * 1000 + 300_000;
    const simEnd = Math.max(0, simStarted + simulationDeadlineMs - run.elapsed);
    checks.push(simulationCheck(await sim.exitWithin(simEnd), stepsDone(sim)));
    const report = JSON.parse(await Deno.readTextFile(reportFile)) as SimulationReport;
    say(
      `simulation: ${report.totals.turnstiles} turnstile events, ${report.totals.arrivals} ` +
        `arrivals, ${report.totals.weather} weather readings`,
    );

    const expected = new Map(
      Object.entries(report.stations).map(([id, tally]) => [Number(id), tally.turnstiles]),
    );
    const settleStart = run.elapsed;
    const summary = await settledCounts(() => summaryCounts(run), expected, 180_000);
    say(
      `summary settled ${((run.elapsed - settleStart) / 1000).toFixed(1)} s after the simulation`,
    );
    checks.push(
      compareCounts("TURNSTILE_SUMMARY count = entries produced, per station", expected, summary),
    );
    const dashboard = await settledCounts(() => dashboardCounts(run), summary, 60_000);
    checks.push(compareCounts("dashboard /api/state totals = summary", summary, dashboard));
    const browser = countsByStation(sse.state.turnstiles);
    checks.push(compareCounts("reconnected SSE reader's totals = summary", summary, browser));

    const transformed = await transformedStations(run);
    const wanted = expectedStations(rows, rename);
    checks.push(compareStations(wanted, latestByKey(transformed)));
    const lines = [...wanted.values()].filter((s) => s.station_id === rename.stationId).length;
    checks.push(compareRename(transformed, rename, lines));
    checks.push(compareWeather(report.weather, await weatherTimestamps(run)));
    const historyTotals = await settledCounts(
      async () => (await historyCounts(config)).entries,
      expected,
      120_000,
    );
    checks.push(
      compareCounts(
        "history entries in PostgreSQL = entries produced, per station",
        expected,
        historyTotals,
      ),
    );
    const arrivalsProduced = new Map(
      Object.entries(report.stations).map(([id, tally]) => [Number(id), tally.arrivals]),
    );
    checks.push(
      compareCounts(
        "history arrivals in PostgreSQL = arrivals produced, per station",
        arrivalsProduced,
        (await historyCounts(config)).arrivals,
        "arrivals",
      ),
    );

    const group = (stage: "summary" | "history" | "predictions" | "stations") =>
      groupId(config, STAGES[stage].consumerGroup);
    const inTransaction = "exactly once" as const;
    const beforeCommit = "at least once" as const;
    for (
      const [role, injected, readers] of [
        ["turnstiles", garbage, [
          { group: group("summary"), delivery: inTransaction },
          { group: group("history"), delivery: beforeCommit },
        ]],
        ["arrivals", [], [
          { group: group("history"), delivery: beforeCommit },
          { group: group("predictions"), delivery: inTransaction },
        ]],
        ["stations", [], [{ group: group("stations"), delivery: inTransaction }]],
      ] as const
    ) {
      const dlq = deadLetterSpec(config, role).topic;
      checks.push(compareDeadLetters(dlq, injected, readers, await deadLetters(run, dlq)));
    }

    const stageChildren = [
      ...summaries.map((s) => s.child),
      stages.stations,
      stages.dashboard,
      history,
      predictions,
    ];
    checks.push(
      runningCheck(
        stageChildren.map((c) => c.name),
        stageChildren.filter((c) => !c.running).map((c) => c.name),
      ),
    );
  } catch (error) {
    checks.push({ name: "the run completed", ok: false, detail: (error as Error).message });
  } finally {
    await lagSampler.stop();
    await sse?.close();
    await run.stopChildren();
    if (!options.keep) await run.stack("down", "--wipe").catch((e) => say(e.message));
  }

  console.log(`\nfaults (${run.faults.length}):\n${faultTable(run.faults)}\n`);
  console.log(
    `consumer lag over time (records behind, summed over partitions, every 3 s):\n` +
      `${lagOverTime(lagSampler.samples)}\n`,
  );
  console.log(`checks:\n${checkTable(checks)}\n`);
  const code = exitCode(checks);
  say(code === 0 ? "every check passed" : "some checks FAILED");
  return code;
}

/** The project topics, with malformed records on the turnstiles topic; resolves with them. */
async function createTopicsWithGarbage(run: Run): Promise<string[]> {
  const { config } = run;
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
  return garbage;
}

/** The station renamed while Connect is down, drawn from the seed. */
if (import.meta.main) {
  const options = parseOptions(Deno.args);
  if (!options) {
    console.log(HELP);
    Deno.exit(0);
  }
  Deno.exit(await main(options));
}
