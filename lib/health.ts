/**
 * A stage's health endpoint: `/healthz` answers while the process lives and has not failed,
 * `/readyz` once it holds its partitions and has caught up, `/metrics` its Prometheus metrics.
 * Supervisors, the tests and the chaos run ask these instead of reading log lines.
 */

export interface HealthSource {
  /** False once the stage has failed for good. */
  live(): boolean;
  ready(): boolean;
  /** Shown beside the status, e.g. the stats. */
  detail?(): unknown;
  /** The Prometheus exposition served at /metrics. */
  metrics?(): Promise<{ body: string; contentType: string }>;
}

export interface HealthServer {
  readonly url: string;
  shutdown(): Promise<void>;
}

export function healthResponse(path: string, source: HealthSource): Response {
  const body = (ok: boolean) =>
    new Response(JSON.stringify({ ok, detail: source.detail?.() ?? null }), {
      status: ok ? 200 : 503,
      headers: { "content-type": "application/json" },
    });
  if (path === "/healthz") return body(source.live());
  if (path === "/readyz") return body(source.live() && source.ready());
  return new Response("not found\n", { status: 404 });
}

export function serveHealth(
  source: HealthSource,
  address: { host: string; port: number },
): Promise<HealthServer> {
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: address.host,
      port: address.port,
      onListen: ({ port }) =>
        resolve({
          url: `http://${address.host}:${port}`,
          shutdown: () => server.shutdown(),
        }),
    }, async (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/metrics" && source.metrics) {
        const { body, contentType } = await source.metrics();
        return new Response(body, { headers: { "content-type": contentType } });
      }
      return healthResponse(path, source);
    });
  });
}

/** A loopback port that was free a moment ago, for a child process to listen on. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Polls `<healthUrl><path>` (/readyz unless told) until it answers 200 (true), `alive()` turns
 * false or the deadline passes (false).
 */
export async function pollReady(
  healthUrl: string,
  timeoutMs: number,
  alive: () => boolean = () => true,
  path = "/readyz",
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    try {
      const response = await fetch(`${healthUrl}${path}`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
