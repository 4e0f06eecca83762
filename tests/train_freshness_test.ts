/**
 * A train that stops reporting, on the real stack and in headless Chromium: with the dashboard set
 * to TRAIN_STALE_AFTER=10 and TRAIN_REMOVE_AFTER=20 (simulated minutes), the train is shown as
 * Not reporting once the event-time clock is 10 minutes past its last report, and leaves the
 * API, the board and the diagram at 20, while a train that keeps reporting keeps moving.
 * Saves a desktop screenshot of the board with the stale train to /tmp/board-stale.png.
 */
import assert from "node:assert/strict";
import "./deno_fs_shim.ts";
import type { Page } from "playwright-core";
import { closeBrowser, launchChromium } from "./helpers/browser.ts";
import type { DashboardState } from "../dashboard/state.ts";
import { Inputs, startDashboard, stationsFromCsv, testConfig } from "./dashboard_fixture.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 5, 14, 0);
const STEP = 5 * MIN;
const MOVING = "RL801";
const STOPPED = "RL802";

async function stateOf(url: string): Promise<DashboardState> {
  return (await (await fetch(`${url}/api/state`)).json()).state;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 30_000;
  while (true) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The board's tag of a train (table) and its mark on the diagram, as the page shows them now. */
function shown(page: Page, trainId: string) {
  return page.evaluate((id) => {
    const tag = document.querySelector(`.train-tag[data-train="${id}"]`);
    const mark = document.querySelector(`g.train[data-train="${id}"]`);
    const row = tag?.closest("tr[data-station]");
    return {
      tag: tag ? { freshness: tag.getAttribute("data-freshness"), text: tag.textContent } : null,
      station: row ? Number(row.getAttribute("data-station")) : null,
      mark: mark
        ? { freshness: mark.getAttribute("data-freshness"), label: mark.getAttribute("aria-label") }
        : null,
      notes: document.querySelector('[data-testid="diagram-notes-red"]')?.textContent ?? null,
    };
  }, trainId);
}

Deno.test({
  name: "a train that stops reporting goes stale, then leaves the API, the board and the diagram",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { config, namespace } = testConfig("test-fresh");
    const inputs = new Inputs(config);
    await inputs.connect();
    await inputs.createTopics(["stationsTransformed", "arrivals"]);
    const red = stationsFromCsv().filter((s) => s.line === "red").sort((a, b) => a.order - b.order);
    await inputs.stations(red);
    const dashboard = await startDashboard(namespace, {
      TRAIN_STALE_AFTER: "10",
      TRAIN_REMOVE_AFTER: "20min",
    });
    const browser = await launchChromium();
    const pageErrors: string[] = [];
    /** Step k: the moving train reaches the k-th station; the stopped one reports until step 1. */
    const step = async (k: number) => {
      const at = T0 + k * STEP;
      await inputs.arrival({
        station_id: red[k].station_id,
        train_id: MOVING,
        direction: "b",
        line: "red",
        event_time: at,
      });
      if (k <= 1) {
        await inputs.arrival({
          station_id: red[20].station_id,
          train_id: STOPPED,
          direction: "a",
          line: "red",
          train_status: "broken_down",
          event_time: at,
        });
      }
      return await until(
        `the clock at step ${k}`,
        () => stateOf(dashboard.url),
        (s) => s.clock === at,
      );
    };
    try {
      await step(0);
      let state = await step(1);
      assert.deepEqual(Object.keys(state.trains).sort(), [MOVING, STOPPED]);

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      await page.goto(dashboard.url);
      await page.waitForSelector('[data-status="live"]', { timeout: 15_000 });
      let stopped = await shown(page, STOPPED);
      assert.equal(stopped.tag?.freshness, "fresh");
      assert.match(stopped.tag?.text ?? "", /Broken down.*last reported just now/);
      assert.match(stopped.mark?.label ?? "", /Broken down, last reported just now/);

      // Step 2: 5 minutes without a report, still fresh (in the API and on the page).
      state = await step(2);
      assert.ok(STOPPED in state.trains);
      await page.waitForFunction(
        (id) =>
          document.querySelector(`.train-tag[data-train="${id}"]`)?.textContent?.includes(
            "5 min ago",
          ),
        STOPPED,
        { timeout: 15_000 },
      );
      assert.equal((await shown(page, STOPPED)).tag?.freshness, "fresh");

      // Step 3: 10 minutes: stale, still in the API, marked on the board and the diagram.
      state = await step(3);
      assert.ok(STOPPED in state.trains, "a stale train stays");
      await page.waitForSelector(`.train-tag[data-train="${STOPPED}"][data-freshness="stale"]`, {
        timeout: 15_000,
      });
      stopped = await shown(page, STOPPED);
      assert.match(stopped.tag?.text ?? "", /Not reporting.*last reported 10 min ago/);
      assert.equal(stopped.mark?.freshness, "stale");
      assert.match(
        stopped.mark?.label ?? "",
        /Train RL802, Not reporting, last reported 10 min ago/,
      );
      assert.match(stopped.notes ?? "", /Not reporting: RL802/);
      const moving = await shown(page, MOVING);
      assert.equal(moving.tag?.freshness, "fresh");
      assert.match(moving.tag?.text ?? "", /In service.*last reported just now/);
      assert.equal(moving.station, red[3].station_id);
      assert.match(
        await page.locator('[data-testid="not-reporting-red"]').textContent() ?? "",
        /1 not reporting/,
      );
      await page.locator('section[data-line="red"]').screenshot({ path: "/tmp/board-stale.png" });

      // A fresh load renders the same from the server.
      const reloaded = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      reloaded.on("pageerror", (error) => pageErrors.push(String(error)));
      await reloaded.goto(dashboard.url);
      const rendered = await shown(reloaded, STOPPED);
      assert.equal(rendered.tag?.freshness, "stale");
      assert.match(rendered.tag?.text ?? "", /Not reporting.*10 min ago/);
      await reloaded.close();

      // Step 5: 20 minutes: gone from the API, the board and the diagram; the other moves on.
      await step(4);
      state = await step(5);
      assert.deepEqual(Object.keys(state.trains), [MOVING]);
      await page.waitForFunction(
        (id) => !document.querySelector(`[data-train="${id}"]`),
        STOPPED,
        { timeout: 15_000 },
      );
      stopped = await shown(page, STOPPED);
      assert.deepEqual([stopped.tag, stopped.mark], [null, null]);
      assert.equal(stopped.notes, "All trains in service and reporting");
      await page.waitForFunction(
        ([id, station]) =>
          document.querySelector(`.train-tag[data-train="${id}"]`)?.closest("tr")?.getAttribute(
            "data-station",
          ) === station,
        [MOVING, String(red[5].station_id)],
        { timeout: 15_000 },
      );
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeBrowser(browser);
      await dashboard.stop();
      await inputs.close();
    }
  },
});
