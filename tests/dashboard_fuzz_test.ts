/**
 * Malformed requests against the dashboard (`main.ts` as a real process on the real stack):
 * every answer is a clean 2xx/3xx/4xx, nothing writes, the hardening headers are always there, and
 * the server still answers /healthz afterwards.
 *   deno test -P tests/dashboard_fuzz_test.ts      (FUZZ_SEED=<n> to replay a run)
 */
import assert from "node:assert/strict";
import { freshNamespace } from "./helpers/mod.ts";
import { startDashboard } from "./dashboard_fixture.ts";
import { seeded } from "./helpers/fuzz.ts";

const REQUESTS = 3_000;
const CONCURRENCY = 6;
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 19_000_427);
const PATHS = ["/", "/api/state", "/api/events", "/healthz", "/static/app.js"];
const WRITING_METHODS = ["POST", "PUT", "PATCH", "DELETE"];

type Random = ReturnType<typeof seeded>;

interface FuzzCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const GARBAGE = ["%", "%00", "%zz", "..%2f..%2fetc%2fpasswd", "<script>", "🚆", "a".repeat(3000)];
const EVENT_IDS = ["-1", "abc", "1e309", "99999999999999999999", "0x10", " 7", "", "NaN", "1.5"];
const TRAVERSALS = [
  "/static/../deno.json",
  "/static/%2e%2e/%2e%2e/etc/passwd",
  "/static/..%5c..%5cdeno.json",
  "//etc/passwd",
  "/static/....//....//deno.json",
  "/api/../../.stack/secrets/cta.password",
];

function generate(random: Random): FuzzCase {
  const path = random.pick(PATHS);
  const junk = () => random.pick(GARBAGE) + random.int(1000);
  switch (random.int(7)) {
    case 0:
      return {
        kind: "odd method",
        method: random.pick(["OPTIONS", "PROPPATCH", "PROPFIND", "FOO", ...WRITING_METHODS]),
        path,
        headers: {},
      };
    case 1:
      return {
        kind: "huge url",
        method: "GET",
        path: `${path}?${"q=".concat("x".repeat(1000 + random.int(60_000)))}`,
        headers: {},
      };
    case 2:
      return {
        kind: "huge header",
        method: "GET",
        path,
        headers: { "X-Junk": "h".repeat(1000 + random.int(30_000)) },
      };
    case 3:
      return {
        kind: "bad Last-Event-ID",
        method: "GET",
        path: random.int(2) ? "/api/events" : `/api/events?lastEventId=${random.pick(EVENT_IDS)}`,
        headers: { "Last-Event-ID": random.pick(EVENT_IDS) },
      };
    case 4:
      return { kind: "path traversal", method: "GET", path: random.pick(TRAVERSALS), headers: {} };
    case 5:
      return {
        kind: "write body",
        method: random.pick(WRITING_METHODS),
        path,
        headers: { "Content-Type": random.pick(["application/json", "text/plain", "x/y"]) },
        body: random.int(2) ? JSON.stringify({ station_id: junk() }) : junk().repeat(50),
      };
    default:
      return {
        kind: "query garbage",
        method: random.pick(["GET", "HEAD"]),
        path: `${path}?${encodeURIComponent(junk())}=${junk()}&${junk()}`.replaceAll(" ", ""),
        headers: { Accept: random.pick(["*/*", "text/event-stream", "\u00ff", ""]) },
      };
  }
}

/** Designed answers with a 5xx: a health check that reports waiting topics, a full SSE hub. */
function designed503(c: FuzzCase, status: number): boolean {
  const path = c.path.split("?")[0];
  return status === 503 && (path === "/healthz" || path === "/api/events");
}

async function send(base: string, c: FuzzCase): Promise<number | "refused"> {
  try {
    const response = await fetch(`${base}${c.path}`, {
      method: c.method,
      headers: c.headers,
      body: c.body,
      signal: AbortSignal.timeout(15_000),
    });
    await response.body?.cancel();
    assert.equal(response.headers.get("x-content-type-options"), "nosniff", c.kind);
    return response.status;
  } catch (error) {
    // The HTTP layer may close the connection on an oversized head: a refusal, not a crash.
    if (c.kind === "huge header" || c.kind === "huge url") return "refused";
    throw new Error(`${c.kind} ${c.method} ${c.path.slice(0, 80)}: ${error}`);
  }
}

Deno.test({
  name: "the dashboard answers thousands of malformed requests with 4xx, never writes, stays up",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dashboard = await startDashboard(freshNamespace());
    try {
      const page = await fetch(`${dashboard.url}/`);
      await page.body?.cancel();
      const csp = page.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self'(;|$)/, "scripts only from the origin");
      assert.ok(!csp.includes("unsafe-inline"), `no inline script: ${csp}`);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(page.headers.get("x-frame-options"), "DENY");
      assert.equal(page.headers.get("referrer-policy"), "no-referrer");

      for (const path of PATHS) {
        for (const method of WRITING_METHODS) {
          const response = await fetch(`${dashboard.url}${path}`, { method, body: "{}" });
          await response.body?.cancel();
          assert.equal(response.status, 405, `${method} ${path} must not exist`);
        }
      }

      const random = seeded(SEED);
      const cases = Array.from({ length: REQUESTS }, () => generate(random));
      const outcomes = new Map<string, number>();
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const c = cases[next++];
          const status = await send(dashboard.url, c);
          if (typeof status === "number") {
            assert.ok(
              status < 500 || designed503(c, status),
              `${c.kind} ${c.method} ${c.path.slice(0, 80)} → ${status} (seed ${SEED})`,
            );
            if (WRITING_METHODS.includes(c.method)) assert.equal(status, 405, c.kind);
            if (c.kind === "path traversal") assert.notEqual(status, 200, c.path);
          }
          const key = `${c.kind} ${status}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const total = [...outcomes.values()].reduce((a, b) => a + b, 0);
      assert.equal(total, REQUESTS);
      console.log([...outcomes].sort().map(([k, n]) => `${k}: ${n}`).join("\n"));

      const health = await fetch(`${dashboard.url}/healthz`);
      const body = await health.json();
      assert.ok(health.status === 200 || health.status === 503, `healthz ${health.status}`);
      assert.ok("sse" in body, "healthz still reports the SSE fan-out");
      const state = await fetch(`${dashboard.url}/api/state`);
      await state.body?.cancel();
      assert.equal(state.status, 200, "the dashboard still serves its state");
    } finally {
      await dashboard.stop();
    }
  },
});
