/**
 * The dashboard against the real stack (Kafka on 9092, the registry on 8081):
 * `deno test -P tests/dashboard_test.ts`.
 */
import assert from "node:assert/strict";
import { parseMetricsWithPrometheusClient, promtoolCheckMetrics } from "./foreign/prometheus.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { SseReader } from "../chaos/sse_client.ts";
import { applyChanges, type Change as StateChange, emptyState } from "../dashboard/state.ts";
import {
  deltaWith,
  Inputs,
  type ReceivedEvent,
  SseClient,
  startDashboard,
  testConfig,
} from "./dashboard_fixture.ts";

type Change = Record<string, unknown> & {
  train?: { train_id: string; station_id: number; direction: string };
};

Deno.test({
  name: "records on every input reach an SSE client as deltas, and a reconnect loses nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { config, namespace } = testConfig();
    const inputs = new Inputs(config);
    await inputs.connect();
    // TURNSTILE_SUMMARY is created only after the dashboard started.
    await inputs.createTopics([
      "stationsTransformed",
      "arrivals",
      "weather",
      "predictions",
      "alerts",
    ]);
    const dashboard = await startDashboard(namespace);
    const first = new SseClient(`${dashboard.url}/api/events`);
    try {
      await t.step("a new client starts with a snapshot", async () => {
        const snapshot = await first.waitFor((e) => e.event === "snapshot", 10_000, "snapshot");
        assert.ok(first.events.indexOf(snapshot) === 0);
      });

      await t.step("a station, an arrival and a weather reading arrive as deltas", async () => {
        await inputs.stations([
          { station_id: 40900, station_name: "Howard", order: 0, line: "red" },
        ]);
        await inputs.arrival({ station_id: 40900, train_id: "RL001", direction: "b", line: "red" });
        await inputs.weather(Date.UTC(2026, 0, 5, 14), 28.5, "windy");
        await first.waitFor(
          deltaWith((c) => c.kind === "station"),
          30_000,
          "station delta",
        );
        await first.waitFor(
          deltaWith((c: Change) => c.kind === "train" && c.train?.train_id === "RL001"),
          30_000,
          "arrival delta",
        );
        const weather = await first.waitFor(
          deltaWith((c) => c.kind === "weather"),
          30_000,
          "weather delta",
        );
        const change = (weather.data as { changes: Change[] }).changes.find((c) =>
          c.kind === "weather"
        );
        assert.deepEqual(change?.weather, {
          timestamp: Date.UTC(2026, 0, 5, 14),
          temperature: 28.5,
          status: "windy",
        });
      });

      await t.step("a topic created after the server started is picked up", async () => {
        await inputs.createTopics(["turnstileSummary"]);
        await inputs.turnstileSummaries([[40900, 11]]);
        await first.waitFor(
          deltaWith((c) => c.kind === "turnstile" && c.count === 11),
          30_000,
          "turnstile delta",
        );
      });

      await t.step("a client reconnecting with Last-Event-ID gets what it missed", async () => {
        const lastId = first.lastId;
        assert.ok(lastId);
        await first.close();
        await inputs.turnstileSummaries([[40900, 12]]);
        await inputs.arrival({
          station_id: 41200,
          train_id: "RL001",
          direction: "b",
          line: "red",
          prev_station_id: 40900,
          prev_direction: "b",
        });
        // Give the server time to deliver both into its delta log while no client listens.
        const state = async () => (await (await fetch(`${dashboard.url}/api/state`)).json()).state;
        for (let i = 0; i < 100 && (await state()).turnstiles["40900"] !== 12; i++) {
          await new Promise((r) => setTimeout(r, 200));
        }
        const again = new SseClient(`${dashboard.url}/api/events`, lastId);
        try {
          await again.waitFor(
            deltaWith((c) => c.kind === "turnstile" && c.count === 12),
            30_000,
            "missed turnstile delta",
          );
          await again.waitFor(
            deltaWith((c: Change) => c.kind === "train" && c.train?.station_id === 41200),
            30_000,
            "missed arrival delta",
          );
          assert.equal(again.events.some((e) => e.event === "snapshot"), false);
        } finally {
          await again.close();
        }
      });

      await t.step("healthz reports every consumer subscribed", async () => {
        const health = await (await fetch(`${dashboard.url}/healthz`)).json();
        assert.equal(health.ok, true);
        assert.deepEqual(health.waitingTopics, []);
        assert.equal(health.subscribedTopics.length, 6);
        assert.ok(health.consumers.every((c: { connected: boolean }) => c.connected));
      });

      await t.step("readyz is 200 and /metrics counts what the consumers read", async () => {
        const ready = await fetch(`${dashboard.url}/readyz`);
        assert.equal(ready.status, 200, await ready.clone().text());
        await ready.body?.cancel();
        const text = await (await fetch(`${dashboard.url}/metrics`)).text();
        const samples = await parseMetricsWithPrometheusClient(text);
        const value = (name: string, topic?: string) =>
          samples.filter((s) => s.name === name && (!topic || s.labels.topic === topic))
            .reduce((total, s) => total + s.value, 0);
        const health = await (await fetch(`${dashboard.url}/healthz`)).json();
        for (const consumer of health.consumers as { topic: string; records: number }[]) {
          assert.equal(value("cta_records_in_total", consumer.topic), consumer.records);
        }
        assert.ok(value("cta_records_in_total") > 0);
        assert.equal(value("cta_ready"), 1);
        assert.ok(value("cta_sse_deltas_total") > 0);
        const lint = await promtoolCheckMetrics(text);
        assert.ok(lint.ok, `promtool check metrics: ${lint.says}`);
      });
    } finally {
      await first.close();
      const status = await dashboard.stop();
      await inputs.close();
      assert.equal(status.code, 0, "the dashboard exits cleanly on SIGTERM");
    }
  },
});

/** The turnstile totals a client holds after applying its events in order. */
function totalsOf(events: readonly ReceivedEvent[]): Record<string, number> {
  let state = emptyState();
  for (const e of events) {
    const data = e.data as { state?: typeof state; changes?: StateChange[]; updatedAt?: number };
    if (e.event === "snapshot") state = data.state!;
    if (e.event === "delta") applyChanges(state, data.changes!, data.updatedAt ?? null);
  }
  return state.turnstiles;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name: "clients that connect while a restarted dashboard replays end with the summary's totals",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { config, namespace } = testConfig();
    const inputs = new Inputs(config);
    await inputs.connect();
    // Partitioned as the summary stage writes it.
    await ensureTopics(inputs.kafka, config, [topicSpec(config, "turnstileSummary")]);
    const stations = Array.from({ length: 150 }, (_, i) => 40000 + 10 * i);
    const latest: Record<string, number> = {};
    let round = 0;
    const writeRounds = async (rounds: number) => {
      for (const end = round + rounds; round < end;) {
        round++;
        const counts = stations.map((id, i): [number, number] => [id, round * (1 + i % 7)]);
        for (const [id, count] of counts) latest[String(id)] = count;
        await inputs.turnstileSummaries(counts);
      }
    };
    const apiState = async (url: string) => {
      const response = await fetch(`${url}/api/state`);
      return response.ok ? (await response.json()).state.turnstiles : null;
    };

    // Enough records that replaying them takes longer than connecting does.
    await writeRounds(200);
    let dashboard = await startDashboard(namespace);
    const port = new URL(dashboard.url).port;
    const reader = new SseReader(dashboard.url, 100);
    let resumed: SseClient | undefined;
    try {
      await until("the first process has every count", () => {
        try {
          assert.deepEqual(reader.state.turnstiles, latest);
          return true;
        } catch {
          return false;
        }
      });
      const idBefore = reader.lastEventId;
      assert.ok(idBefore);
      const stopped = await dashboard.stop();
      assert.equal(stopped.code, 0);
      // Written while no dashboard runs: the next one knows them only by replaying.
      await writeRounds(20);
      const expected = { ...latest };

      dashboard = await startDashboard(namespace, { DASHBOARD_PORT: port });
      // At once, while the topics are being replayed: an id of the previous process.
      resumed = new SseClient(`${dashboard.url}/api/events`, idBefore);
      const snapshot = await resumed.waitFor((e) => e.event === "snapshot", 60_000, "snapshot");
      assert.equal(resumed.events[0], snapshot, "no delta before the snapshot");
      assert.deepEqual(
        (snapshot.data as { state: { turnstiles: unknown } }).state.turnstiles,
        expected,
        "the snapshot given during a replay is the replayed state, not part of it",
      );
      await until("the reader reconnects by itself", () => reader.connections >= 2);
      await until(
        "the reader gets a snapshot from the new process",
        () => reader.lastEventId?.split(".")[0] !== idBefore.split(".")[0],
      );
      assert.deepEqual(reader.lastSnapshot?.turnstiles, expected);

      await writeRounds(5);
      await until("the restarted dashboard has the new counts", async () => {
        try {
          assert.deepEqual(await apiState(dashboard.url), latest);
          return true;
        } catch {
          return false;
        }
      });
      // What /api/state shows has been sent to every SSE client: it arrives right behind.
      await until("both clients have the new counts", () => {
        try {
          assert.deepEqual(reader.state.turnstiles, latest);
          assert.deepEqual(totalsOf(resumed!.events), latest);
          return true;
        } catch {
          return false;
        }
      }, 2000);
    } finally {
      await reader.close();
      await resumed?.close();
      const status = await dashboard.stop();
      await inputs.close();
      assert.equal(status.code, 0, "the dashboard exits cleanly on SIGTERM");
    }
  },
});
