/**
 * playwright-core probes /proc/sys/fs/binfmt_misc at load time to detect WSL. Deno lets only
 * --allow-all read /proc/sys and throws instead of answering false, so with the test's
 * permission set that probe would fail: answer "does not exist", as Node does on an error.
 * Import this before playwright-core.
 */
import fs from "node:fs";

const existsSync = fs.existsSync;
fs.existsSync = ((path: fs.PathLike) => {
  try {
    return existsSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return false;
    throw error;
  }
}) as typeof fs.existsSync;
