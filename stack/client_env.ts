/** How a client reaches the stack as it is on disk: plain, or secure when created with --secure. */
import { type Config, loadConfig } from "../lib/config.ts";
import { secureClientEnv } from "./secure.ts";
import { plainClientEnv, type StackSettings } from "./settings.ts";

/** The client-side environment (lib/config.ts) that points at this stack. */
export function clientEnv(settings: StackSettings): Record<string, string> {
  return { ...plainClientEnv(settings), ...secureClientEnv(settings) };
}

/** A client's configuration for this stack: its environment first, then the process's. */
export function stackConfig(settings: StackSettings): Config {
  const env = clientEnv(settings);
  return loadConfig((name) => env[name] ?? Deno.env.get(name));
}
