/**
 * The proxy's settings: those in lib/config.ts (`config.restProxy`) plus the ones only the proxy
 * reads, from the environment with the same rules (an empty variable means the default).
 */
import { type Config, ConfigError } from "../lib/config.ts";
import type { ProxySettings } from "./app.ts";

export const DEFAULT_MAX_PENDING_REQUESTS = 64;

type Env = (name: string) => string | undefined;

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

export function proxySettings(
  config: Config,
  env: Env = (name) => Deno.env.get(name),
): ProxySettings {
  return {
    maxBodyBytes: config.restProxy.maxBodyBytes ?? 1024 * 1024,
    topicAllowList: config.restProxy.topicAllowList,
    autoCreateTopics: config.restProxy.autoCreateTopics ?? false,
    maxPendingRequests: positiveInteger(
      env,
      "REST_PROXY_MAX_PENDING_REQUESTS",
      DEFAULT_MAX_PENDING_REQUESTS,
    ),
  };
}
