import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../lib/config.ts";
import { DEFAULT_MAX_PENDING_REQUESTS, proxySettings } from "./settings.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("the bound on waiting requests comes from REST_PROXY_MAX_PENDING_REQUESTS", () => {
  const vars = { REST_PROXY_MAX_PENDING_REQUESTS: "5", REST_PROXY_MAX_BODY_BYTES: "2048" };
  const settings = proxySettings(loadConfig(envOf(vars)), envOf(vars));
  assert.equal(settings.maxPendingRequests, 5);
  assert.equal(settings.maxBodyBytes, 2048);
  assert.equal(settings.autoCreateTopics, false);
  const defaults = proxySettings(
    loadConfig(envOf({})),
    envOf({ REST_PROXY_MAX_PENDING_REQUESTS: "" }),
  );
  assert.equal(defaults.maxPendingRequests, DEFAULT_MAX_PENDING_REQUESTS);
});

Deno.test("a bound that is not a positive integer is a configuration error", () => {
  for (const raw of ["0", "-3", "1.5", "many"]) {
    const env = envOf({ REST_PROXY_MAX_PENDING_REQUESTS: raw });
    assert.throws(
      () => proxySettings(loadConfig(env), env),
      (error: Error) =>
        error instanceof ConfigError && error.message.includes("REST_PROXY_MAX_PENDING_REQUESTS") &&
        error.message.includes(raw),
    );
  }
});
