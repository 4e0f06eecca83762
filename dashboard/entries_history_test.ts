import assert from "node:assert/strict";
import { loadConfig } from "../lib/config.ts";
import { freePort } from "../lib/health.ts";
import { HistoryUnavailable, PostgresEntriesHistory, RETRY_AFTER_MS } from "./entries_history.ts";

const DAY = { start: Date.UTC(2026, 11, 5, 6), end: Date.UTC(2026, 11, 6, 6) };

Deno.test("PostgreSQL down: the history is unavailable at once, then left alone for a while", async () => {
  const config = { ...loadConfig().postgres, host: "127.0.0.1", port: freePort() };
  let now = 1_000_000;
  const history = new PostgresEntriesHistory(config, "public", () => now);
  await assert.rejects(
    history.entriesPerHour(41400, DAY.start, DAY.end),
    (e) => e instanceof HistoryUnavailable,
  );
  const started = performance.now();
  await assert.rejects(
    history.entriesPerHour(41400, DAY.start, DAY.end),
    (e) => e instanceof HistoryUnavailable && /history unavailable/.test(e.message),
  );
  assert.ok(performance.now() - started < 50, "the quiet period does not connect");
  now += RETRY_AFTER_MS + 1;
  await assert.rejects(
    history.entriesPerHour(41400, DAY.start, DAY.end),
    (e) => e instanceof HistoryUnavailable,
  );
  await history.close();
});
