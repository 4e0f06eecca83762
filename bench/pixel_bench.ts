/**
 * Event -> pixel: `deno task bench:pixel` (also the last part of `deno task bench:dashboard`).
 * The simulation runs at full speed (`--step-seconds 0`, with the summary stage counting its
 * turnstile events) in a fresh namespace, and the dashboard serves a page in headless Chromium.
 * Alongside, this process moves MARKER_TRAINS marker trains along the Red Line in turn, one
 * arrival every BENCH_MARKER_MS, and times each from the producer's acknowledgement to
 *  - the moment the page's DOM shows the train at its new station (a MutationObserver), and
 *  - the moment an SSE client in this process receives the delta (the peer figure).
 * Every other marker tick it also sends a turnstile event for a station of its own, timed the same
 * way through the summary stage to the station's count on the page and to the SSE client.
 * Both sides read the same machine clock (Date.now() here, timeOrigin + now() in the page).
 * It also prints the part of that time spent before the page's own delta handler ran, and how
 * busy the page's main thread was (long animation frames, and Chromium's task durations).
 * The simulation and the summary start as `deno task start` starts them: background stages, in
 * sessions of their own at a lower CPU weight, the simulation lowest (BENCH_PIXEL_EQUAL_WEIGHT=1
 * starts them as their deno.json tasks do, at the weight of everything else).
 * Options (env): BENCH_PIXEL_SECONDS (60), BENCH_MARKER_MS (100); to look closer:
 * BENCH_PIXEL_WORST=1 lists the slowest markers hop by hop, BENCH_PIXEL_HOPS=1 times turnstile
 * markers at each of the summary's two transactional hops, BENCH_PIXEL_TRACE=<file> writes a
 * Chromium trace of the first BENCH_PIXEL_TRACE_MS (5000) ms and BENCH_PIXEL_PROFILE=<file> a
 * CPU profile of the page's first 5 s. BENCH_PIXEL_FLOOR=1 runs the summary with its
 * transactions taken out (bench/at_least_once_summary.ts), at the same weight: the turnstile
 * figures it gives are the floor that no exactly-once summary of this shape gets under here.
 * BENCH_PIXEL_STREAMS=1 runs the Kafka Streams peer (bench/peer/, `groupBy().count()` with
 * exactly_once_v2) beside the summary, at the same weight and on the same input, and times each
 * turnstile marker to its count as a read_committed reader sees it from either side;
 * BENCH_PIXEL_STREAMS_COMMIT_MS sets its commit.interval.ms (Kafka Streams' default: 100 ms).
 */
import "../tests/deno_fs_shim.ts";
import type { Kafka } from "kafkajs";
import { STAGES } from "../lib/stages.ts";
import { registerTopicSchemas } from "../lib/registry.ts";
import { TURNSTILES } from "../lib/contracts/turnstiles.ts";
import { CLOCK_TICKS_PER_SECOND, cpuTicks, latencySummary, percentile } from "./figures.ts";
import { startStage } from "../tests/helpers/stage.ts";
import { groupId } from "../lib/config.ts";
import { parseSummaryValue, summaryKey } from "../lib/contracts/turnstile_summary.ts";
import { summaryTopics } from "../pipeline/summary/main.ts";
import { closeBrowser, launchChromium } from "../tests/helpers/browser.ts";
import { buildPeer, spawnPeer } from "./peer.ts";
import {
  Inputs,
  type ReceivedEvent,
  SseClient,
  startDashboard,
  stationsFromCsv,
  testConfig,
} from "../tests/dashboard_fixture.ts";

const SECONDS = Number(Deno.env.get("BENCH_PIXEL_SECONDS") ?? 60);
/** Starts the simulation and the summary as their tasks do, not as `deno task start` does. */
const EQUAL_WEIGHT = Deno.env.get("BENCH_PIXEL_EQUAL_WEIGHT") === "1";
const HOPS = Deno.env.get("BENCH_PIXEL_HOPS") === "1";
const FLOOR = Deno.env.get("BENCH_PIXEL_FLOOR") === "1";
const STREAMS = Deno.env.get("BENCH_PIXEL_STREAMS") === "1";
const STREAMS_COMMIT_MS = Deno.env.get("BENCH_PIXEL_STREAMS_COMMIT_MS");
const SUMMARY = FLOOR
  ? { ...STAGES.summary, script: "bench/at_least_once_summary.ts" }
  : STAGES.summary;
const MARKER_MS = Number(Deno.env.get("BENCH_MARKER_MS") ?? 100);
/**
 * Marker n is train `BENCH<n % MARKER_TRAINS>` at the next Red Line station of that train: a
 * (train, station) pair comes back only after MARKER_TRAINS × stations markers (33 s at the
 * defaults), so a late sighting cannot be taken for a later marker's.
 */
const MARKER_TRAINS = 10;
/**
 * Every TURNSTILE_EVERY-th marker tick also sends a turnstile event for a station of the bench's
 * own (the simulation never counts it), whose count cell then shows the number of them sent.
 */
const TURNSTILE_EVERY = 2;
const MARKER_STATION = { station_id: 49_999, station_name: "Bench Marker", line: "red" } as const;
const markerTrain = (n: number) => `BENCH${n % MARKER_TRAINS}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** The CPU ticks of every Chromium process, the renderer and compositor included. */
function chromiumTicks(): number {
  const { stdout } = new Deno.Command("pgrep", { args: ["chromium"] }).outputSync();
  return new TextDecoder().decode(stdout).split("\n").filter(Boolean)
    .reduce((sum, pid) => {
      try {
        return sum + cpuTicks(Number(pid));
      } catch {
        return sum; // ended in between
      }
    }, 0);
}

async function endOffsets(kafka: Kafka, topics: string[]): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let sum = 0;
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) sum += Number(p.high);
    }
    return sum;
  } finally {
    await admin.disconnect();
  }
}

/**
 * For each marker in order, the first time after the previous match at which `seen` shows the
 * marker's station: consecutive markers are at different stations, so each change is one marker.
 */
interface Sighting {
  train: string;
  station: number;
  at: number;
}

function match(
  markers: { train: string; station: number; ackedAt: number }[],
  seen: Sighting[],
): number[] {
  return matchTimed(markers, seen).map((m) => m.latency);
}

/** As `match`, with the time each matched marker was acknowledged. */
function matchTimed(
  markers: { train: string; station: number; ackedAt: number }[],
  seen: Sighting[],
): { ackedAt: number; latency: number }[] {
  const latencies: { ackedAt: number; latency: number }[] = [];
  const next = new Map<string, number>();
  for (const marker of markers) {
    let i = next.get(marker.train) ?? 0;
    while (
      i < seen.length &&
      (seen[i].train !== marker.train || seen[i].station !== marker.station ||
        seen[i].at < marker.ackedAt - 1000)
    ) i++;
    if (i === seen.length) continue;
    latencies.push({ ackedAt: marker.ackedAt, latency: seen[i].at - marker.ackedAt });
    next.set(marker.train, i + 1);
  }
  return latencies;
}

/** The marker station's count as a side showed it. */
interface CountSighting {
  count: number;
  at: number;
}

/** For the n-th turnstile marker (n from 1), the time until a side first showed a count of n. */
function matchCounts(ackedAt: number[], seen: CountSighting[]): number[] {
  const latencies: number[] = [];
  let i = 0;
  ackedAt.forEach((at, n) => {
    while (i < seen.length && seen[i].count < n + 1) i++;
    if (i < seen.length) latencies.push(seen[i].at - at);
  });
  return latencies;
}

/**
 * The marker station's count as each of the summary's hops wrote it (the record's timestamp, set
 * by the stage as it sends) and as a read_committed reader here first saw it (after the commit).
 */
async function followSummaryHops(kafka: Kafka, config: ReturnType<typeof testConfig>["config"]) {
  const topics = summaryTopics(config, groupId(config, STAGES.summary.consumerGroup));
  const key = summaryKey(MARKER_STATION.station_id);
  const sides = {
    entriesSent: [] as CountSighting[],
    entriesCommitted: [] as CountSighting[],
    countsSent: [] as CountSighting[],
    countsCommitted: [] as CountSighting[],
  };
  let partialTotal = 0;
  const consumer = kafka.consumer({
    groupId: `${topics.partialCounts}-bench-hops`,
    readUncommitted: false,
    maxWaitTimeInMs: 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.partialCounts, topics.summary], fromBeginning: true });
  await consumer.run({
    eachMessage: ({ topic, message }) => {
      const at = Date.now();
      if (message.key?.toString() !== key || message.value === null) return Promise.resolve();
      const sentAt = Number(message.timestamp);
      if (topic === topics.partialCounts) {
        partialTotal += Number(message.value.toString());
        sides.entriesSent.push({ count: partialTotal, at: sentAt });
        sides.entriesCommitted.push({ count: partialTotal, at });
      } else {
        const summary = parseSummaryValue(message.value.toString());
        if (summary === null) return Promise.resolve();
        sides.countsSent.push({ count: summary.COUNT, at: sentAt });
        sides.countsCommitted.push({ count: summary.COUNT, at });
      }
      return Promise.resolve();
    },
  });
  return { sides, stop: () => consumer.disconnect() };
}

/** The marker station's count as the Kafka Streams peer committed it (Integer key, Long value). */
async function followStreamsCounts(kafka: Kafka, topic: string) {
  const seen: CountSighting[] = [];
  const consumer = kafka.consumer({
    groupId: `${topic}-bench`,
    readUncommitted: false,
    maxWaitTimeInMs: 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      const at = Date.now();
      const { key, value } = message;
      if (key?.length === 4 && key.readInt32BE(0) === MARKER_STATION.station_id && value) {
        seen.push({ count: Number(value.readBigInt64BE(0)), at });
      }
      return Promise.resolve();
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

/** Records of `topic` that `group` has not committed yet. */
async function groupLag(kafka: Kafka, group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return ends.reduce((lag, end) => {
      const at = Number(committed.partitions.find((p) => p.partition === end.partition)?.offset);
      return lag + Number(end.high) - (at >= 0 ? at : 0);
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

export async function runPixelBench(): Promise<void> {
  const { config, namespace } = testConfig("bench-pixel");
  const inputs = new Inputs(config);
  await inputs.connect();
  // The simulation and the summary create the topics they write, partitioned as they need.
  await inputs.createTopics(["stationsTransformed", "arrivals"]);
  const stations = stationsFromCsv();
  const red = stations.filter((s) => s.line === "red").sort((a, b) => a.order - b.order);
  // Last on the Red Line, so the first station and the directions' names stay the real ones.
  await inputs.stations([...stations, { ...MARKER_STATION, order: red.at(-1)!.order + 1 }]);
  const env = { TOPIC_NAMESPACE: namespace };
  // The markers carry no event time (this process does not know the simulation's clock), so the
  // dashboard stamps each with its clock; at full speed that clock moves about 25 simulated
  // minutes between two markers of one train, which would make it stale and remove it before its
  // next move. Wide windows keep this a measure of delivery, not of freshness.
  const dashboard = await startDashboard(namespace, {
    TRAIN_STALE_AFTER: "1000000",
    TRAIN_REMOVE_AFTER: "2000000",
  });
  let summaryStage: ReturnType<typeof startStage> | null = null;
  const browser = await launchChromium();
  let simulate: ReturnType<typeof startStage> | null = null;
  let turnstileProducer: ReturnType<Kafka["producer"]> | null = null;
  let hops: Awaited<ReturnType<typeof followSummaryHops>> | null = null;
  let streams: Deno.ChildProcess | null = null;
  let streamsCounts: Awaited<ReturnType<typeof followStreamsCounts>> | null = null;
  const streamsState = await Deno.makeTempDir({ prefix: "cta-bench-pixel-streams-" });
  const peer = new SseClient(`${dashboard.url}/api/events`, undefined, false);
  try {
    simulate = startStage(
      STAGES.simulate,
      ["--step-seconds", "0", "--no-connector", "--no-weather", "--seed", "7"],
      env,
      { asStart: !EQUAL_WEIGHT },
    );
    await until("the simulation's turnstile topic", async () => {
      const admin = inputs.kafka.admin();
      await admin.connect();
      try {
        return (await admin.listTopics()).includes(config.topics.turnstiles);
      } finally {
        await admin.disconnect();
      }
    });
    summaryStage = startStage(SUMMARY, [], env, { asStart: !EQUAL_WEIGHT });
    await summaryStage.waitReady();
    if (HOPS || STREAMS) hops = await followSummaryHops(inputs.kafka, config);
    if (STREAMS) {
      const output = `${config.topics.turnstileSummary}.kafka-streams`;
      const admin = inputs.kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: output, numPartitions: config.partitions }],
      }).finally(() => admin.disconnect());
      const applicationId = `${namespace}kafka-streams-count`;
      streams = spawnPeer(await buildPeer((line) => console.error(line)), {
        bootstrap: config.kafka.brokers.join(","),
        input: config.topics.turnstiles,
        output,
        applicationId,
        stateDir: streamsState,
        commitIntervalMs: STREAMS_COMMIT_MS === undefined ? undefined : Number(STREAMS_COMMIT_MS),
        niceness: SUMMARY.niceness,
      });
      streams.stdout.pipeTo(new WritableStream()).catch(() => {});
      streams.stderr.pipeTo(new WritableStream()).catch(() => {});
      // Both counters start the window caught up with what the simulation wrote before it.
      await until(
        "Kafka Streams caught up",
        async () => await groupLag(inputs.kafka, applicationId, config.topics.turnstiles) < 20_000,
        120_000,
      );
      streamsCounts = await followStreamsCounts(inputs.kafka, output);
    }
    const ids = await registerTopicSchemas(inputs.registry, "turnstiles", config.topics.turnstiles);
    const turnstileMarker = {
      key: TURNSTILES.key.encoder(ids.key)({ station_id: MARKER_STATION.station_id }),
      value: TURNSTILES.value.encoder(ids.value)(MARKER_STATION),
    };
    turnstileProducer = inputs.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await turnstileProducer.connect();
    await until("the simulation's trains on the dashboard", async () => {
      const { state } = await (await fetch(`${dashboard.url}/api/state`)).json();
      return state.clock !== null && Object.keys(state.turnstiles).length > 0;
    });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    // The moment each marker's delta reaches the page's own handler, before the page renders it.
    await page.addInitScript(() => {
      const frames: { duration: number; script: number; layout: number }[] = [];
      (globalThis as unknown as { frames: typeof frames }).frames = frames;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          // deno-lint-ignore no-explicit-any
          const f = entry as any;
          const end = f.startTime + f.duration;
          frames.push({
            duration: f.duration,
            script: f.scripts.reduce((sum: number, s: { duration: number }) => sum + s.duration, 0),
            layout: f.styleAndLayoutStart ? end - f.styleAndLayoutStart : 0,
          });
        }
      }).observe({ type: "long-animation-frame", buffered: true });
      const received: { train: string; station: number; at: number }[] = [];
      (globalThis as unknown as { received: typeof received }).received = received;
      const marker = /"train_id":"(BENCH\d+)","line":"\w+","station_id":(\d+)/g;
      const prototype = EventSource.prototype as unknown as EventTarget;
      const add = prototype.addEventListener;
      prototype.addEventListener = function (
        this: EventTarget,
        type: string,
        listener: EventListenerOrEventListenerObject,
        options?: boolean | AddEventListenerOptions,
      ) {
        if (type !== "delta" || typeof listener !== "function") {
          return add.call(this, type, listener, options);
        }
        const handle = (e: Event) => {
          const at = performance.timeOrigin + performance.now();
          for (const m of (e as MessageEvent<string>).data.matchAll(marker)) {
            received.push({ train: m[1], station: Number(m[2]), at });
          }
          listener.call(this, e);
        };
        return add.call(this, type, handle, options);
      };
    });
    await page.goto(dashboard.url);
    await page.waitForSelector('[data-status="live"]', { timeout: 30_000 });
    await page.evaluate(
      ([trains, countCell]) => {
        const seen: { train: string; station: number; at: number }[] = [];
        (globalThis as unknown as { seen: typeof seen }).seen = seen;
        const counts: { count: number; at: number }[] = [];
        (globalThis as unknown as { counts: typeof counts }).counts = counts;
        const last = new Map<string, number | null>();
        let lastCount = 0;
        new MutationObserver(() => {
          const at = performance.timeOrigin + performance.now();
          const text = document.querySelector(`[data-testid="${countCell}"]`)?.textContent ?? "0";
          const count = Number(text.replace(/\D/g, ""));
          if (count !== lastCount) counts.push({ count, at });
          lastCount = count;
          for (const train of trains) {
            const row = document.querySelector(`.train-tag[data-train="${train}"]`)?.closest("tr");
            const station = row ? Number(row.getAttribute("data-station")) : null;
            if (station !== null && station !== last.get(train)) seen.push({ train, station, at });
            last.set(train, station);
          }
        }).observe(document.body, { childList: true, subtree: true, characterData: true });
      },
      [
        Array.from({ length: MARKER_TRAINS }, (_, n) => markerTrain(n)),
        `count-${MARKER_STATION.station_id}`,
      ] as const,
    );

    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const mainThread = async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      const of = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
      return {
        task: of("TaskDuration"),
        script: of("ScriptDuration"),
        style: of("RecalcStyleDuration"),
        layout: of("LayoutDuration"),
      };
    };
    const sse: Sighting[] = [];
    const countsSeen: CountSighting[] = [];
    peer.onEvent = (e: ReceivedEvent) => {
      if (e.event !== "delta") return;
      const changes = (e.data as {
        changes: {
          kind: string;
          train?: { train_id: string; station_id: number };
          station_id?: number;
          count?: number;
        }[];
      }).changes;
      for (const c of changes) {
        if (c.kind === "turnstile" && c.station_id === MARKER_STATION.station_id) {
          countsSeen.push({ count: c.count!, at: performance.timeOrigin + e.receivedAt });
        }
        if (c.kind === "train" && c.train?.train_id.startsWith("BENCH")) {
          sse.push({
            train: c.train.train_id,
            station: c.train.station_id,
            at: performance.timeOrigin + e.receivedAt,
          });
        }
      }
    };

    const topics = [config.topics.arrivals, config.topics.turnstiles];
    const eventsBefore = await endOffsets(inputs.kafka, topics);
    const load0 = Deno.loadavg();
    const processes = {
      dashboard: dashboard.pid,
      summary: summaryStage.pid,
      simulate: simulate.pid,
      ...(streams ? { "kafka-streams": streams.pid } : {}),
    };
    const ticks0 = Object.fromEntries(
      Object.entries(processes).map(([name, pid]) => [name, cpuTicks(pid)]),
    );
    const chromium0 = chromiumTicks();
    const markers: { train: string; station: number; ackedAt: number }[] = [];
    const main0 = await mainThread();
    const profilePath = Deno.env.get("BENCH_PIXEL_PROFILE");
    if (profilePath) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.start");
      setTimeout(async () => {
        const { profile } = await cdp.send("Profiler.stop");
        await Deno.writeTextFile(profilePath, JSON.stringify(profile));
      }, 5000);
    }
    const tracePath = Deno.env.get("BENCH_PIXEL_TRACE");
    if (tracePath) {
      await browser.startTracing(page, {
        path: tracePath,
        categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"],
      });
      setTimeout(() => browser.stopTracing(), Number(Deno.env.get("BENCH_PIXEL_TRACE_MS") ?? 5000));
    }
    const started = performance.now();
    const turnstileAcks: number[] = [];
    for (let n = 0; performance.now() - started < SECONDS * 1000; n++) {
      const train = markerTrain(n);
      const station = red[Math.floor(n / MARKER_TRAINS) % red.length].station_id;
      await Promise.all([
        inputs.arrival({ station_id: station, train_id: train, direction: "a", line: "red" })
          .then(() => markers.push({ train, station, ackedAt: Date.now() })),
        n % TURNSTILE_EVERY === 0 &&
        turnstileProducer.send({
          topic: config.topics.turnstiles,
          acks: -1,
          messages: [turnstileMarker],
        }).then(() => turnstileAcks.push(Date.now())),
      ]);
      const wait = started + (n + 1) * MARKER_MS - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const seconds = (performance.now() - started) / 1000;
    const main1 = await mainThread();
    const events = (await endOffsets(inputs.kafka, topics)) - eventsBefore;
    const load1 = Deno.loadavg();
    const cpu = Object.entries(processes).map(([name, pid]) =>
      `${name} ${
        Math.round((cpuTicks(pid) - ticks0[name]) / CLOCK_TICKS_PER_SECOND / seconds * 100)
      }%`
    );
    cpu.push(
      `chromium ${
        Math.round((chromiumTicks() - chromium0) / CLOCK_TICKS_PER_SECOND / seconds * 100)
      }%`,
    );
    const health = await (await fetch(`${dashboard.url}/healthz`)).json();
    const lags = (health.consumers as { role: string; lag: number | null }[])
      .filter((c) => c.lag !== null).map((c) => `${c.role} ${c.lag}`);
    await sleep(3000);
    const seen = await page.evaluate(() => (globalThis as unknown as { seen: Sighting[] }).seen);
    const pixelTimed = matchTimed(markers, seen);
    const pixel = pixelTimed.map((m) => m.latency);
    const toClient = match(markers, sse);
    const received = await page.evaluate(() =>
      (globalThis as unknown as { received: Sighting[] }).received
    );
    const toPage = match(markers, received);
    const turnstileToPixel = matchCounts(
      turnstileAcks,
      await page.evaluate(() => (globalThis as unknown as { counts: CountSighting[] }).counts),
    );
    const turnstileToClient = matchCounts(turnstileAcks, countsSeen);
    if (Deno.env.get("BENCH_PIXEL_WORST")) {
      const at = (list: Sighting[], m: { train: string; station: number; ackedAt: number }) =>
        list.find((x) => x.train === m.train && x.station === m.station && x.at >= m.ackedAt - 1000)
          ?.at;
      const rows = markers.map((m) => ({
        t: ((m.ackedAt - markers[0].ackedAt) / 1000).toFixed(1),
        peer: (at(sse, m) ?? NaN) - m.ackedAt,
        page: (at(received, m) ?? NaN) - m.ackedAt,
        dom: (at(seen, m) ?? NaN) - m.ackedAt,
      })).sort((a, b) => b.dom - a.dom).slice(0, 15);
      for (const r of rows) {
        console.log(
          `  t=${r.t}s peer ${r.peer.toFixed(0)} page ${r.page.toFixed(0)} dom ${r.dom.toFixed(0)}`,
        );
      }
    }
    const frames = await page.evaluate(() =>
      (globalThis as unknown as {
        frames: { duration: number; script: number; layout: number }[];
      }).frames
    );
    console.log(
      `simulation at full speed: ${Math.round(events / seconds)} events/s ` +
        `(arrivals and turnstile events, ${events} in ${seconds.toFixed(1)} s); ` +
        `${markers.length} marker arrivals, one per ${MARKER_MS} ms; the simulation and the ` +
        (EQUAL_WEIGHT
          ? "summary started as their tasks start them (BENCH_PIXEL_EQUAL_WEIGHT=1)"
          : `summary started as deno task start starts them (nice ${STAGES.simulate.niceness} ` +
            `and ${STAGES.summary.niceness})`) +
        (FLOOR ? "; the summary WITHOUT transactions (BENCH_PIXEL_FLOOR=1)" : ""),
    );
    console.log(`event -> pixel (ack -> Chromium DOM): ${latencySummary(pixel)}`);
    if (seconds >= 120) {
      // Whether the figure drifts over a long run (a stack just started warms up, for instance).
      const perMinute: number[][] = [];
      for (const { ackedAt, latency } of pixelTimed) {
        (perMinute[Math.floor((ackedAt - markers[0].ackedAt) / 60_000)] ??= []).push(latency);
      }
      console.log(
        `  p99 by minute: ${
          perMinute.map((l) => percentile([...l].sort((a, b) => a - b), 99).toFixed(1)).join(", ")
        } ms`,
      );
    }
    console.log(`event -> SSE client (ack -> delta here): ${latencySummary(toClient)}`);
    console.log(
      `turnstile event -> pixel (ack -> summary -> Chromium DOM), ${turnstileAcks.length} sent, ` +
        `one per ${MARKER_MS * TURNSTILE_EVERY} ms: ${latencySummary(turnstileToPixel)}`,
    );
    console.log(`turnstile event -> SSE client: ${latencySummary(turnstileToClient)}`);
    if (hops) {
      for (const [side, seen] of Object.entries(hops.sides)) {
        console.log(`  ack -> ${side}: ${latencySummary(matchCounts(turnstileAcks, seen))}`);
      }
    }
    if (streamsCounts) {
      console.log(
        `  peer: ack -> Kafka Streams count committed (exactly_once_v2, commit.interval.ms ${
          STREAMS_COMMIT_MS ?? "default"
        }): ${latencySummary(matchCounts(turnstileAcks, streamsCounts.seen))}`,
      );
    }
    console.log(`  of which in the page: ack -> its delta handler ${latencySummary(toPage)}`);
    {
      const total = (key: "duration" | "script" | "layout") =>
        Math.round(frames.reduce((sum, f) => sum + f[key], 0));
      console.log(
        `long animation frames (over 50 ms) in the page: ${frames.length}, ` +
          `${total("duration")} ms in all: script ${total("script")} ms, ` +
          `style and layout ${total("layout")} ms; longest ${
            Math.round(Math.max(0, ...frames.map((f) => f.duration)))
          } ms`,
      );
    }
    {
      const share = (key: keyof typeof main0) =>
        `${Math.round((main1[key] - main0[key]) / seconds * 100)}%`;
      console.log(
        `page's main thread busy ${share("task")} of the window: script ${share("script")}, ` +
          `style ${share("style")}, layout ${share("layout")}`,
      );
    }
    console.log(
      `load average ${load0.map((l) => l.toFixed(2)).join(" ")} at start, ` +
        `${
          load1.map((l) => l.toFixed(2)).join(" ")
        } at end (${navigator.hardwareConcurrency} cores)`,
    );
    console.log(`CPU of one core over the window: ${cpu.join(", ")}`);
    console.log(`dashboard consumer lag at the end of the window (records): ${lags.join(", ")}`);
    if (pixel.length < markers.length) {
      console.log(`${markers.length - pixel.length} markers not seen in the DOM`);
    }
    if (pageErrors.length) console.log(`page errors: ${pageErrors.join("; ")}`);
  } finally {
    await peer.close();
    await hops?.stop();
    await streamsCounts?.stop();
    if (streams) {
      streams.kill("SIGTERM");
      await streams.status;
    }
    await Deno.remove(streamsState, { recursive: true }).catch(() => {});
    await turnstileProducer?.disconnect();
    await closeBrowser(browser);
    await simulate?.kill("SIGTERM");
    await summaryStage?.kill("SIGTERM");
    await dashboard.stop();
    await inputs.close();
  }
}

if (import.meta.main) await runPixelBench();
