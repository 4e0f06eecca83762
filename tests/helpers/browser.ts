/**
 * Closing headless Chromium. Once in a while (seen once in the ops test of a CI run) Chromium
 * answered the close request and never exited, and `browser.close()` waited for it for good.
 * Past a bound, the browsers this process launched are killed instead.
 */
import type { Browser } from "playwright-core";

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
