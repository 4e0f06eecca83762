/**
 * The dashboard in headless Chromium (Debian's /usr/bin/chromium) against the real stack:
 * `deno test -P tests/browser_test.ts`. Saves tests/artifacts/dashboard.png.
 */
import assert from "node:assert/strict";
import "./deno_fs_shim.ts";
import { closeBrowser, launchChromium, screenshotWholePage } from "./helpers/browser.ts";
import { LINES } from "../lib/contracts/enums.ts";
import { Inputs, startDashboard, stationsFromCsv, testConfig } from "./dashboard_fixture.ts";

const EVIL = "<img src=x onerror=alert(1)>";
const EVIL_ID = 99999;
const ARTIFACTS = new URL("./artifacts/", import.meta.url);

/** Stations of every line, trains spread along them, counts and a weather reading. */
async function feedRealisticState(inputs: Inputs) {
  const stations = stationsFromCsv();
  stations.push({ station_id: EVIL_ID, station_name: EVIL, order: 10, line: "red" });
  await inputs.stations(stations);
  for (const line of LINES) {
    const onLine = stations.filter((s) => s.line === line).sort((a, b) => a.order - b.order);
    const letter = line[0].toUpperCase();
    for (let n = 0; n < 8; n++) {
      const station = onLine[Math.floor((n * onLine.length) / 8)];
      await inputs.arrival({
        station_id: station.station_id,
        train_id: `${letter}L${String(n).padStart(3, "0")}`,
        direction: n % 2 ? "a" : "b",
        line,
      });
    }
  }
  await inputs.turnstileSummaries(
    stations.map((s) => [s.station_id, 200 + ((s.station_id * 37) % 1800)]),
  );
  await inputs.weather(Date.UTC(2026, 10, 27, 9), 41.2, "partly_cloudy");
  return stations;
}

Deno.test({
  name: "the page renders every line, updates counts live and shows HTML in names as text",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { config, namespace } = testConfig("test-browser");
    const inputs = new Inputs(config);
    await inputs.connect();
    await inputs.createTopics([
      "stationsTransformed",
      "arrivals",
      "turnstileSummary",
      "weather",
      "predictions",
      "alerts",
    ]);
    const stations = await feedRealisticState(inputs);
    const dashboard = await startDashboard(namespace);
    const browser = await launchChromium();
    try {
      // Wait until the server has read what was produced, so the first render is complete.
      for (let i = 0; i < 150; i++) {
        const { state } = await (await fetch(`${dashboard.url}/api/state`)).json();
        if (
          state.weather &&
          Object.keys(state.turnstiles).length === new Set(stations.map((s) => s.station_id)).size
        ) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      await page.goto(dashboard.url);
      await page.waitForSelector('[data-status="live"]', { timeout: 15_000 });

      const lines = await page.locator("section[data-line] h2").allTextContents();
      assert.deepEqual(lines, ["Red Line", "Blue Line", "Green Line"]);
      for (const line of LINES) {
        const rows = await page.locator(`section[data-line="${line}"] tbody tr`).count();
        assert.equal(rows, stations.filter((s) => s.line === line).length, line);
      }

      const evilName = page.locator(`tr[data-station="${EVIL_ID}"] th`);
      assert.equal(await evilName.textContent(), EVIL);
      assert.equal(await page.locator("img").count(), 0);

      // Mark this document: a reload would lose the mark.
      await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
      const cell = page.locator('[data-testid="count-40900"]').first();
      const before = Number((await cell.textContent())!.replaceAll(",", ""));
      const after = before + 4321;
      await inputs.turnstileSummaries([[40900, after]]);
      await page.waitForFunction(
        (expected) =>
          document.querySelector('[data-testid="count-40900"]')?.textContent === expected,
        after.toLocaleString("en-US"),
        { timeout: 30_000 },
      );
      assert.equal(await page.evaluate(() => "notReloaded" in globalThis), true);

      // The train moves without a reload too.
      await inputs.arrival({
        station_id: 40900,
        train_id: "RL000",
        direction: "a",
        line: "red",
      });
      await page.waitForFunction(
        () =>
          document.querySelector('tr[data-station="40900"]')?.textContent?.includes("RL000") ??
            false,
        undefined,
        { timeout: 30_000 },
      );

      // The Green Line card is far below the fold: it is brought up to date all the same, and
      // shows the newest state once scrolled into view.
      const greenEnd = stations.filter((s) => s.line === "green")
        .sort((a, b) => b.order - a.order)[0].station_id;
      const greenCount = (expected: string) =>
        page.waitForFunction(
          ([id, text]) =>
            document.querySelector(`section[data-line="green"] [data-testid="count-${id}"]`)
              ?.textContent === text,
          [greenEnd, expected] as const,
          { timeout: 30_000 },
        );
      await inputs.turnstileSummaries([[greenEnd, 123_456]]);
      await greenCount("123,456");
      await inputs.turnstileSummaries([[greenEnd, 123_457]]);
      await page.locator('section[data-line="green"]').scrollIntoViewIfNeeded();
      await greenCount("123,457");
      await page.evaluate(() => scrollTo(0, 0));

      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await screenshotWholePage(page, new URL("dashboard.png", ARTIFACTS).pathname);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: new URL("dashboard-phone.png", ARTIFACTS).pathname });

      assert.deepEqual(dialogs, []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeBrowser(browser);
      await dashboard.stop();
      await inputs.close();
    }
  },
});
