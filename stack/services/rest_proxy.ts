/** The project's REST proxy (rest_proxy/main.ts), run by Deno against this stack's ports. */
import { clientEnv } from "../client_env.ts";
import { spawnDetached } from "../process.ts";
import { secureReadArgs } from "../secure.ts";
import { httpOk, type Service, serviceLog } from "../service.ts";
import type { StackSettings } from "../settings.ts";
import { STAGES } from "../../lib/stages.ts";

const entryPoint = (s: StackSettings) => `${s.repoDir}/rest_proxy/main.ts`;

export const restProxy: Service = {
  name: "rest-proxy",
  ports: ["restProxy", "restProxyHealth"],
  url: (s) => `http://${s.host}:${s.ports.restProxy}`,
  logFile: (s) => serviceLog(s, "rest-proxy"),
  readyTimeoutMs: 60_000,
  missing: async (s) => {
    try {
      await Deno.stat(entryPoint(s));
      return undefined;
    } catch {
      return "rest_proxy/main.ts does not exist yet";
    }
  },
  start: (ctx) => {
    const { settings } = ctx;
    return Promise.resolve(spawnDetached({
      cmd: Deno.execPath(),
      args: [
        "run",
        `-P=${STAGES.restProxy.permissions}`,
        ...secureReadArgs(settings),
        entryPoint(settings),
      ],
      cwd: settings.repoDir,
      env: {
        ...Deno.env.toObject(),
        ...clientEnv(settings),
        HEALTH_PORT: String(settings.ports.restProxyHealth),
        KAFKAJS_NO_PARTITIONER_WARNING: "1",
      },
      logFile: serviceLog(settings, "rest-proxy"),
    }));
  },
  healthy: (s) => httpOk(`http://${s.host}:${s.ports.restProxy}/topics`),
};
