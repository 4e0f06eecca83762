/**
 * The ops page in headless Chromium against the real stack: a turnstile summary counting live
 * events, and the dashboard scraping it. `deno test -P tests/ops_test.ts`; saves
 * /tmp/ops-desktop.png and /tmp/ops-phone.png.
 */
import assert from "node:assert/strict";
import "./deno_fs_shim.ts";
import { closeBrowser, launchChromium, screenshotWholePage } from "./helpers/browser.ts";
import { createKafka } from "../lib/kafka.ts";
import { createRegistry } from "../lib/registry.ts";
import { STAGES } from "../lib/stages.ts";
import { configFor, freshNamespace } from "./helpers/mod.ts";
import { startStage } from "./helpers/stage.ts";
import { startDashboard } from "./dashboard_fixture.ts";
import { entriesPerStation, produceTurnstiles } from "./turnstile_fixture.ts";

Deno.test({
  name: "the ops page shows the summary ready and counting, with its lag and throughput charted",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const namespace = freshNamespace();
    const config = configFor(namespace);
    const kafka = createKafka("ops-test", config.kafka);
    const registry = createRegistry(config.registry);
    // The input exists before the stage starts, so that it becomes ready at once.
    await produceTurnstiles(kafka, registry, config, entriesPerStation(500, 20));
    const summary = startStage(STAGES.summary, [], { TOPIC_NAMESPACE: namespace });
    let feeding = true;
    let feeder: Promise<void> = Promise.resolve();
    const dashboard = await startDashboard(namespace, {
      OPS_TARGETS: `summary=${summary.healthUrl}`,
    });
    const browser = await launchChromium();
    const pageErrors: string[] = [];
    try {
      await summary.waitReady(60_000);
      // Events keep arriving while the page is watched, as they do in service.
      feeder = (async () => {
        while (feeding) {
          await produceTurnstiles(kafka, registry, config, entriesPerStation(300, 20));
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      })();

      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      page.on("response", (response) => {
        const path = new URL(response.url()).pathname;
        if (response.status() >= 400 && path !== "/favicon.ico") {
          pageErrors.push(`${response.status()} ${path}`);
        }
      });
      page.on("requestfailed", (request) => pageErrors.push(`failed: ${request.url()}`));
      await page.goto(`${dashboard.url}/ops`);
      assert.deepEqual(
        await page.locator("article[data-stage] h3").allTextContents(),
        ["summary", "dashboard"],
      );
      // The island polls /api/ops: no reload is needed for the figures to change.
      await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
      await page.waitForFunction(
        () => {
          const card = document.querySelector('article[data-stage="summary"]');
          const throughput = card?.querySelector('[data-testid="throughput-summary"]');
          return card?.getAttribute("data-state") === "ready" &&
            Number(throughput?.getAttribute("data-value") || 0) > 0;
        },
        undefined,
        { timeout: 40_000, polling: 500 },
      );
      assert.equal(await page.evaluate(() => "notReloaded" in globalThis), true);
      // A few more scrapes, so that the charts have a line to look at.
      await page.waitForFunction(
        () =>
          document.querySelectorAll('article[data-stage="summary"] .sparkline-line')[1]
            ?.getAttribute("d")?.split("L").length! >= 4,
        undefined,
        { timeout: 30_000, polling: 500 },
      );

      const card = page.locator('article[data-stage="summary"]');
      assert.equal(await card.locator('[data-testid="state-summary"]').textContent(), "Ready");
      assert.match(
        (await card.locator('[data-testid="throughput-summary"]').textContent()) ?? "",
        /^[\d.,]+\/s$/,
      );
      assert.match(
        (await card.locator('[data-testid="lag-summary"]').textContent()) ?? "",
        /^[\d,]+$/,
      );
      const charts = card.locator('svg[role="img"]');
      assert.equal(await charts.count(), 2);
      assert.match(
        (await charts.nth(1).getAttribute("aria-label")) ?? "",
        /^summary records in per second, last [\d.]+ (s|minutes): now [\d.,]+\/s, peak/,
      );
      assert.equal(
        await charts.nth(1).locator("path.sparkline-line").count(),
        1,
        "throughput drawn",
      );
      assert.equal(await charts.nth(0).locator("path.sparkline-line").count(), 1, "lag drawn");
      // The dashboard reads itself: no input topics of its own here, so it is alive, not ready.
      assert.equal(
        await page.locator('article[data-stage="dashboard"]').getAttribute("data-state"),
        "not ready",
      );

      await screenshotWholePage(page, "/tmp/ops-desktop.png");
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshotWholePage(page, "/tmp/ops-phone.png");
      assert.deepEqual(pageErrors, []);
    } catch (error) {
      console.error(summary.output());
      console.error(`page errors: ${pageErrors.join("\n")}`);
      console.error(await (await fetch(`${dashboard.url}/api/ops`)).text().catch(String));
      throw error;
    } finally {
      feeding = false;
      await feeder;
      await closeBrowser(browser);
      await dashboard.stop();
      await summary.kill("SIGTERM");
      const admin = kafka.admin();
      await admin.connect();
      const mine = (await admin.listTopics()).filter((t) => t.startsWith(namespace));
      if (mine.length > 0) await admin.deleteTopics({ topics: mine });
      await admin.disconnect();
    }
  },
});
