/**
 * The dashboard against the real stack (Kafka on 9092, the registry on 8081):
 * `deno test -P tests/dashboard_test.ts`.
 */
import assert from "node:assert/strict";
import { deltaWith, Inputs, SseClient, startDashboard, testConfig } from "./dashboard_fixture.ts";

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
    await inputs.createTopics(["stationsTransformed", "arrivals", "weather"]);
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
        assert.equal(health.subscribedTopics.length, 4);
        assert.ok(health.consumers.every((c: { connected: boolean }) => c.connected));
      });
    } finally {
      await first.close();
      const status = await dashboard.stop();
      await inputs.close();
      assert.equal(status.code, 0, "the dashboard exits cleanly on SIGTERM");
    }
  },
});
