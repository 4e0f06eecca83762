/**
 * End-to-end figures of the dashboard against the real stack: `deno task bench:dashboard`.
 *  1. latency from a produced turnstile event, through the exactly-once summary stage
 *     (`pipeline/summary/main.ts`, a subprocess), to the new count at an SSE client;
 *  2. latency from a produced TURNSTILE_SUMMARY record to the new count at an SSE client;
 *  3. many concurrent SSE clients held while records flow: delivery latency and server CPU.
 * Event -> pixel in Chromium is bench/pixel_bench.ts, which the deno.json task runs after this.
 * Options (env): BENCH_EVENTS (500), BENCH_CLIENTS (1000), BENCH_FANOUT_EVENTS (50).
 */
import { registerTopicSchemas } from "../lib/registry.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { TURNSTILES } from "../lib/contracts/turnstiles.ts";
import { startStage } from "../tests/helpers/stage.ts";
import { STAGES } from "../lib/stages.ts";
import { CLOCK_TICKS_PER_SECOND, cpuTicks, latencySummary, procFile } from "./figures.ts";
import {
  Inputs,
  type ReceivedEvent,
  SseClient,
  startDashboard,
  testConfig,
} from "../tests/dashboard_fixture.ts";

const EVENTS = Number(Deno.env.get("BENCH_EVENTS") ?? 500);
const CLIENTS = Number(Deno.env.get("BENCH_CLIENTS") ?? 1000);
const FANOUT_EVENTS = Number(Deno.env.get("BENCH_FANOUT_EVENTS") ?? 50);
const PACE_MS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid: number): number {
  const status = procFile(pid, "status");
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

function turnstileCounts(e: ReceivedEvent): { station_id: number; count: number }[] {
  if (e.event !== "delta") return [];
  return (e.data as { changes: { kind: string; station_id: number; count: number }[] }).changes
    .filter((c) => c.kind === "turnstile");
}

async function waitUntil(done: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Sends `EVENTS` changes, one per `PACE_MS`, each to a new station from `firstStation` up, and
 * returns how long each took to show as that station's first count at an SSE client.
 */
async function firstCountLatencies(
  url: string,
  firstStation: number,
  send: (stationId: number) => Promise<unknown>,
  what: string,
): Promise<number[]> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const probe = new SseClient(url, undefined, false);
  probe.onEvent = (e) => {
    for (const c of turnstileCounts(e)) {
      const t0 = sentAt.get(c.station_id);
      if (t0 !== undefined && c.count === 1) {
        latencies.push(e.receivedAt - t0);
        sentAt.delete(c.station_id);
      }
    }
  };
  try {
    const started = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const stationId = firstStation + i;
      sentAt.set(stationId, performance.now());
      await send(stationId);
      const wait = started + (i + 1) * PACE_MS - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await waitUntil(() => latencies.length >= EVENTS, 60_000, what);
  } finally {
    await probe.close();
  }
  return latencies;
}

const { config, namespace } = testConfig("bench");
const inputs = new Inputs(config);
await inputs.connect();
// As many partitions as the summary stage of part 2 gives its partial counts, or it refuses to start.
await ensureTopics(inputs.kafka, config, [topicSpec(config, "turnstileSummary")]);
const dashboard = await startDashboard(namespace);
console.log(`dashboard pid ${dashboard.pid} at ${dashboard.url}, namespace ${namespace}`);

try {
  // Warm up: the dashboard subscribes within a few seconds of the topic appearing.
  for (let i = 0; i < 100; i++) {
    const health = await (await fetch(`${dashboard.url}/healthz`)).json();
    if (health.subscribedTopics.includes(config.topics.turnstileSummary)) break;
    await sleep(200);
  }
  await sleep(1000);

  // 1. The whole way: turnstile event -> summary transaction -> TURNSTILE_SUMMARY -> SSE.
  await inputs.createTopics(["turnstiles"]);
  const ids = await registerTopicSchemas(inputs.registry, "turnstiles", config.topics.turnstiles);
  const encodeKey = TURNSTILES.key.encoder(ids.key);
  const encodeValue = TURNSTILES.value.encoder(ids.value);
  const stage = startStage(STAGES.summary, [], { TOPIC_NAMESPACE: namespace }, { asStart: true });
  let endToEnd: number[] = [];
  const producer = inputs.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const send = (stationId: number) =>
      producer.send({
        topic: config.topics.turnstiles,
        acks: -1,
        messages: [{
          key: encodeKey({ station_id: stationId }),
          value: encodeValue({ station_id: stationId, station_name: "Bench", line: "red" }),
        }],
      });
    // Warm up until the summary has its partition and counts.
    await send(299_999);
    await stage.waitReady();
    await sleep(2000);
    endToEnd = await firstCountLatencies(
      `${dashboard.url}/api/events`,
      300_000,
      send,
      "all end-to-end samples",
    );
  } finally {
    await producer.disconnect();
    await stage.kill("SIGTERM");
  }
  console.log(
    `turnstile event -> summary -> SSE client latency (${EVENTS} events, one per ${PACE_MS} ms): ${
      latencySummary(endToEnd)
    }`,
  );

  // 2. Latency from a TURNSTILE_SUMMARY record, one per station, so coalescing within the batch
  // window loses none. It runs after 1: the summary stage refuses to start on a TURNSTILE_SUMMARY
  // that holds counts it did not write.
  const latencies = await firstCountLatencies(
    `${dashboard.url}/api/events`,
    100_000,
    (stationId) => inputs.turnstileSummaries([[stationId, 1]]),
    "all latency samples",
  );
  console.log(
    `record -> SSE client latency (${EVENTS} records, one per ${PACE_MS} ms): ${
      latencySummary(latencies)
    }`,
  );

  // 3. Fan-out: CLIENTS concurrent streams, FANOUT_EVENTS count changes, 10 per second.
  const fanout: number[] = [];
  const countSentAt = new Map<number, number>();
  let snapshots = 0;
  const clients: SseClient[] = [];
  const openedAt = performance.now();
  for (let i = 0; i < CLIENTS; i++) {
    const client = new SseClient(`${dashboard.url}/api/events`, undefined, false);
    client.onEvent = (e) => {
      if (e.event === "snapshot") snapshots++;
      for (const c of turnstileCounts(e)) {
        const t0 = countSentAt.get(c.station_id);
        if (t0 !== undefined) fanout.push(e.receivedAt - t0);
      }
    };
    clients.push(client);
  }
  await waitUntil(() => snapshots >= CLIENTS, 120_000, `${CLIENTS} snapshots`);
  console.log(
    `${CLIENTS} SSE clients connected in ${(performance.now() - openedAt).toFixed(0)} ms; ` +
      `server RSS ${rssMiB(dashboard.pid).toFixed(0)} MiB`,
  );
  const refused = clients.filter((c) => c.status !== 200).length;
  const serverTicks0 = cpuTicks(dashboard.pid);
  const selfTicks0 = cpuTicks(Deno.pid);
  const t0 = performance.now();
  for (let n = 1; n <= FANOUT_EVENTS; n++) {
    // A station per change: changes to one station within the batch window would coalesce.
    countSentAt.set(200_000 + n, performance.now());
    await inputs.turnstileSummaries([[200_000 + n, 1]]);
    await sleep(100);
  }
  await waitUntil(
    () => fanout.length >= CLIENTS * FANOUT_EVENTS,
    60_000,
    "fan-out deliveries",
  ).catch((error) => console.log(String(error)));
  const seconds = (performance.now() - t0) / 1000;
  const serverCpu = (cpuTicks(dashboard.pid) - serverTicks0) / CLOCK_TICKS_PER_SECOND / seconds;
  const selfCpu = (cpuTicks(Deno.pid) - selfTicks0) / CLOCK_TICKS_PER_SECOND / seconds;
  const health = await (await fetch(`${dashboard.url}/healthz`)).json();
  console.log(
    `fan-out to ${CLIENTS} clients (${FANOUT_EVENTS} changes, 10/s; refused ${refused}): ` +
      latencySummary(fanout),
  );
  console.log(
    `over ${seconds.toFixed(1)} s: server CPU ${(serverCpu * 100).toFixed(0)}% of one core, ` +
      `RSS ${rssMiB(dashboard.pid).toFixed(0)} MiB; this client process CPU ${
        (selfCpu * 100).toFixed(0)
      }%; hub ${JSON.stringify(health.sse)}`,
  );
  await Promise.all(clients.map((c) => c.close()));
} finally {
  await dashboard.stop();
  await inputs.close();
}
