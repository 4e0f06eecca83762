/**
 * Station pages, the station search and the alert banner in headless Chromium against the real
 * stack, with axe-core checking both pages at desktop and phone widths:
 * `deno test -P tests/station_page_test.ts`. The history tables are made in a fresh PostgreSQL
 * schema by the history stage's own `ensureHistoryTables`. Screenshots: /tmp/station-desktop.png,
 * /tmp/station-phone.png, /tmp/board-alert-desktop.png, /tmp/station-search.png.
 */
import assert from "node:assert/strict";
import "./deno_fs_shim.ts";
import type { Page } from "playwright-core";
import { closeBrowser, launchChromium, screenshotWholePage } from "./helpers/browser.ts";
import axe from "axe-core";
import type { Producer } from "kafkajs";
import { Inputs, startDashboard, stationsFromCsv, testConfig } from "./dashboard_fixture.ts";
import { postgresClient } from "../lib/postgres.ts";
import { loadConfig } from "../lib/config.ts";
import { HistoryUnavailable, PostgresEntriesHistory } from "../dashboard/entries_history.ts";
import { type Alert, ALERTS } from "../lib/contracts/alerts.ts";
import {
  type PlatformPredictions,
  type PredictedArrival,
  PREDICTIONS,
} from "../lib/contracts/predictions.ts";
import { chicagoDay } from "../dashboard/chicago_time.ts";
import { ensureHistoryTables, qualified } from "../pipeline/history/store.ts";

// Saturday December 5, 2026, 4:20 PM in Chicago, on the trains' event-time clock.
const CLOCK = Date.UTC(2026, 11, 5, 22, 20);
const MIN = 60_000;
const HOUR = 3_600_000;
const ROOSEVELT = 41400;
const HOWARD = 40900;
const NINETY_FIFTH = 40450;

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

function arrival(over: Partial<PredictedArrival>): PredictedArrival {
  return {
    train_id: "RL000",
    arrival_time: CLOCK + 5 * MIN,
    from_station_id: HOWARD,
    reported_at: CLOCK,
    stops_away: 3,
    destination_station_id: NINETY_FIFTH,
    delayed: false,
    broken_down: false,
    ...over,
  };
}

const SOUTHBOUND: PlatformPredictions = {
  station_id: ROOSEVELT,
  line: "red",
  direction: "b",
  generated_at: CLOCK,
  arrivals: [
    arrival({ train_id: "RL001", arrival_time: CLOCK + 40_000, stops_away: 0 }),
    arrival({ train_id: "RL002", arrival_time: CLOCK + 100_000, stops_away: 0 }),
    arrival({ train_id: "RL003", arrival_time: CLOCK + 7 * MIN, delayed: true }),
  ],
};
const NORTHBOUND: PlatformPredictions = {
  station_id: ROOSEVELT,
  line: "red",
  direction: "a",
  generated_at: CLOCK,
  arrivals: [
    arrival({
      train_id: "RL005",
      arrival_time: CLOCK + 12 * MIN,
      destination_station_id: HOWARD,
      broken_down: true,
    }),
  ],
};
const ALERT: Alert = {
  alert_id: "breakdown:RL005",
  kind: "breakdown",
  line: "red",
  direction: "a",
  train_id: "RL005",
  station_id: 41450,
  raised_at: CLOCK - 3 * MIN,
  message: "Red Line train RL005 has broken down at Chicago. Expect delays toward Howard.",
};

/** Entries per hour today at Roosevelt, 6 AM to 4 PM Chicago time. */
function historyRows(dayStart: number) {
  return Array.from({ length: 11 }, (_, i) => ({
    station_id: ROOSEVELT,
    hour: new Date(dayStart + (6 + i) * HOUR),
    entries: 100 + i * 37,
  }));
}

async function send(producer: Producer, topic: string, key: string, value: string | null) {
  await producer.send({ topic, messages: [{ key, value }] });
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const results = await page.evaluate(() =>
    (globalThis as unknown as { axe: typeof axe }).axe.run(document, {
      resultTypes: ["violations"],
    })
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Waits until the alert banner's live region says something starting with `words`. */
async function announced(page: Page, words: string) {
  await page.waitForFunction(
    (start) =>
      document.querySelector("[data-testid=alert-announcer]")?.textContent?.startsWith(start) ??
        false,
    words,
    { timeout: 5_000 },
  );
}

Deno.test({
  name: "station page, search and alert banner work from the keyboard, live, and pass axe",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { config, namespace } = testConfig("test-station");
    const schema = `test_station_${crypto.randomUUID().slice(0, 8)}`;
    const sql = postgresClient(config.postgres, { max: 1 });
    const day = chicagoDay(CLOCK);
    const rows = historyRows(day.start);
    const entriesToday = rows.reduce((sum, r) => sum + r.entries, 0);
    await ensureHistoryTables(sql, schema);
    await sql`INSERT INTO ${sql(qualified(schema, "entries"))} ${sql(rows)}`;

    const inputs = new Inputs(config);
    await inputs.connect();
    const producer = inputs.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await inputs.createTopics([
      "stationsTransformed",
      "arrivals",
      "turnstileSummary",
      "weather",
      "predictions",
      "alerts",
    ]);
    await inputs.stations(stationsFromCsv());
    await inputs.arrival(
      {
        station_id: HOWARD,
        train_id: "RL001",
        direction: "b",
        line: "red",
        event_time: CLOCK,
      } as Parameters<Inputs["arrival"]>[0],
    );
    await inputs.turnstileSummaries([[ROOSEVELT, 9876]]);
    for (const platform of [SOUTHBOUND, NORTHBOUND]) {
      await send(
        producer,
        config.topics.predictions,
        PREDICTIONS.key.serialize(platform),
        PREDICTIONS.value.serialize(platform),
      );
    }

    const dashboard = await startDashboard(namespace, { HISTORY_SCHEMA: schema });
    const browser = await launchChromium();
    try {
      for (let i = 0; i < 150; i++) {
        const { state } = await (await fetch(`${dashboard.url}/api/state`)).json();
        if (state.clock === CLOCK && Object.keys(state.predictions).length === 2) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const page = await browser.newPage({ viewport: DESKTOP });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(String(error)));
      page.on("response", (r) => {
        // Chromium asks for /favicon.ico by itself; the dashboard has none.
        if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) {
          problems.push(`${r.status()} ${r.url()}`);
        }
      });

      // The station page.
      await page.goto(`${dashboard.url}/stations/${ROOSEVELT}`);
      assert.equal(await page.locator("#station-name").textContent(), "Roosevelt");
      assert.deepEqual(
        await page.locator("[data-testid=station-lines] .line-badge").allTextContents(),
        ["Red Line", "Green Line"],
      );
      const south = page.locator('.platform[data-line="red"][data-direction="b"]');
      assert.match((await south.locator("h4").textContent())!, /Toward 95th\/Dan Ryan/);
      assert.deepEqual(await south.locator("[data-testid=arrival-when]").allTextContents(), [
        "Due",
        "Approaching",
        "7 min",
      ]);
      assert.deepEqual(await south.locator(".arrival-condition").allTextContents(), [
        "On time",
        "On time",
        "Delayed",
      ]);
      const north = page.locator('.platform[data-line="red"][data-direction="a"]');
      assert.match(
        (await north.locator(".arrival").textContent())!,
        /12 min.*to Howard.*Broken down/,
      );
      assert.equal(
        await page.locator('.platform[data-line="green"][data-direction="a"] .no-trains').count(),
        1,
      );
      assert.equal(await page.locator("[data-testid=entries-feed]").textContent(), "9,876");
      assert.equal(
        await page.locator("[data-testid=entries-today]").textContent(),
        entriesToday.toLocaleString("en-US"),
      );
      assert.equal(await page.locator("figure.entries-chart").getAttribute("data-history"), "ok");
      assert.equal(await page.locator("svg.chart rect.bar").count(), 17); // 12 AM to 4 PM
      assert.match(
        (await page.locator("[data-testid=station-clock]").textContent())!,
        /4:20 PM Chicago time/,
      );
      assert.deepEqual(await seriousViolations(page), [], "station page, desktop");
      await screenshotWholePage(page, "/tmp/station-desktop.png");
      // Live: a new prediction moves the page without a reload.
      await send(
        producer,
        config.topics.predictions,
        PREDICTIONS.key.serialize(SOUTHBOUND),
        PREDICTIONS.value.serialize({
          ...SOUTHBOUND,
          arrivals: [arrival({ train_id: "RL004", arrival_time: CLOCK + 9 * MIN })],
        }),
      );
      await page.waitForFunction(
        () =>
          document.querySelector('.platform[data-line="red"][data-direction="b"] .arrival-when')
            ?.textContent === "9 min",
        undefined,
        { timeout: 20_000 },
      );
      await page.setViewportSize(PHONE);
      assert.deepEqual(await seriousViolations(page), [], "station page, phone");
      await screenshotWholePage(page, "/tmp/station-phone.png");

      // The search, from the keyboard, on the board page.
      await page.setViewportSize(DESKTOP);
      await page.goto(dashboard.url);
      const input = page.locator("#station-search-input");
      await input.focus();
      await page.keyboard.type("harl");
      await page.waitForSelector("#station-search-listbox [role=option]");
      assert.equal(await input.getAttribute("aria-expanded"), "true");
      assert.deepEqual(await page.locator("[role=option] .option-name").allTextContents(), [
        "Harlem",
        "Harlem",
        "Harlem/Lake",
      ]);
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      assert.equal(await input.getAttribute("aria-activedescendant"), "station-option-40980");
      await page.screenshot({
        path: "/tmp/station-search.png",
        clip: { x: DESKTOP.width - 600, y: 0, width: 600, height: 300 },
      });
      await page.keyboard.press("Escape");
      assert.equal(await input.getAttribute("aria-expanded"), "false");
      await page.keyboard.press("ArrowDown");
      assert.equal(await input.getAttribute("aria-activedescendant"), "station-option-40750");
      await Promise.all([
        page.waitForURL(`${dashboard.url}/stations/40750`),
        page.keyboard.press("Enter"),
      ]);
      assert.equal(await page.locator("#station-name").textContent(), "Harlem");

      // The alert banner: raised, announced, cleared, announced.
      await page.goto(dashboard.url);
      await page.waitForSelector('[data-status="live"]', { timeout: 15_000 });
      assert.equal(await page.locator("[data-testid=alert-banner]").count(), 0);
      await send(
        producer,
        config.topics.alerts,
        ALERTS.key.serialize(ALERT),
        ALERTS.value.serialize(ALERT),
      );
      const banner = page.locator("[data-testid=alert-banner]");
      await banner.waitFor({ timeout: 20_000 });
      assert.match(
        (await banner.textContent())!,
        /Red Line: Train broken down\..*RL005 has broken down at Chicago.*Since 4:17 PM/,
      );
      const announcer = page.locator("[data-testid=alert-announcer]");
      assert.equal(await announcer.getAttribute("aria-live"), "polite");
      await announced(page, "New alert. Red Line: Train broken down.");
      assert.deepEqual(await seriousViolations(page), [], "board with an alert, desktop");
      await page.screenshot({ path: "/tmp/board-alert-desktop.png" });
      await page.setViewportSize(PHONE);
      assert.deepEqual(await seriousViolations(page), [], "board with an alert, phone");
      await page.setViewportSize(DESKTOP);
      await send(producer, config.topics.alerts, ALERTS.key.serialize(ALERT), null);
      await banner.waitFor({ state: "detached", timeout: 20_000 });
      await announced(page, "Alert cleared. Red Line: Train broken down.");

      // Enter without choosing a match submits the form: the list of matches, as without JavaScript.
      await page.goto(`${dashboard.url}/stations/${ROOSEVELT}`);
      await page.locator("#station-search-input").fill("lake");
      await page.waitForSelector("#station-search-listbox [role=option]");
      await Promise.all([page.waitForURL(/\/stations\?q=lake$/), page.keyboard.press("Enter")]);
      assert.deepEqual(await page.locator(".match-list a").allTextContents(), [
        "Lake",
        "Clark/Lake",
        "Harlem/Lake",
        "State/Lake",
      ]);
      assert.deepEqual(await seriousViolations(page), [], "search results");
      assert.deepEqual(problems, []);

      // Unknown stations get a 404 page with the search.
      const missing = await page.goto(`${dashboard.url}/stations/123`);
      assert.equal(missing?.status(), 404);
      assert.equal(await page.locator("form.plain-search").count(), 1);
      assert.deepEqual(await seriousViolations(page), [], "404 page");
    } finally {
      await closeBrowser(browser);
      await dashboard.stop();
      await producer.disconnect();
      await inputs.close();
      await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await sql.end();
    }
  },
});

Deno.test("history: a schema without the history tables is unavailable, not an error", async () => {
  const history = new PostgresEntriesHistory(loadConfig().postgres, "no_such_history_schema");
  await assert.rejects(
    history.entriesPerHour(ROOSEVELT, chicagoDay(CLOCK).start, chicagoDay(CLOCK).end),
    (e) =>
      e instanceof HistoryUnavailable &&
      /no table no_such_history_schema\.station_entries_hourly yet/.test(e.message),
  );
  await history.close();
});
