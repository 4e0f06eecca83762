/**
 * Headless Chromium for the browser tests and benchmarks: launching it, capturing a whole page,
 * and closing it. Once in a while (seen once in the ops test of a CI run) Chromium
 * answered the close request and never exited, and `browser.close()` waited for it for good.
 * Past a bound, the browsers this process launched are killed instead.
 */
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium, never a downloaded one. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * A screenshot of the whole page. The board's line cards skip rendering while far below the
 * viewport (`content-visibility: auto`), and a full-page capture does not bring them near it, so
 * the viewport is first made as tall as the page, then put back.
 */
export async function screenshotWholePage(page: Page, path: string): Promise<void> {
  const viewport = page.viewportSize();
  if (viewport === null) throw new Error("the page has no fixed viewport");
  let height = viewport.height;
  // Rendered cards may be taller or shorter than the size they stood in with.
  for (let round = 0; round < 4; round++) {
    // The body's own height: the document's is never less than the viewport.
    const pageHeight = await page.evaluate(() => {
      const body = document.body;
      const bottom = body.getBoundingClientRect().bottom + globalThis.scrollY;
      return Math.ceil(bottom + parseFloat(getComputedStyle(body).marginBottom));
    });
    if (pageHeight === height) break;
    height = pageHeight;
    await page.setViewportSize({ width: viewport.width, height });
    await page.evaluate(() =>
      new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
    );
  }
  await page.screenshot({ path, fullPage: true });
  await page.setViewportSize(viewport);
}

const CLOSE_WAIT_MS = 15_000;

/** Pids of the Chromium browser processes launched through playwright (their profile dir). */
function playwrightChromiumPids(): number[] {
  const { stdout } = new Deno.Command("ps", { args: ["-eo", "pid=,args="] }).outputSync();
  return new TextDecoder().decode(stdout).split("\n")
    .filter((line) => line.includes("chromium") && line.includes("playwright_chromium"))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => pid > 0);
}

export async function closeBrowser(browser: Browser): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([
    browser.close().then(() => true),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS)),
  ]);
  clearTimeout(timer);
  if (closed) return;
  console.error(`Chromium did not exit within ${CLOSE_WAIT_MS} ms of close; killing it`);
  for (const pid of playwrightChromiumPids()) {
    await new Deno.Command("kill", { args: ["-KILL", String(pid)] }).output();
  }
}
