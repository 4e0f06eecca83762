import assert from "node:assert/strict";
import type { Service } from "./service.ts";
import { loadStackSettings } from "./settings.ts";
import { connectorState, describeConnector, type Observed, statusTable } from "./status.ts";

const settings = (env: Record<string, string> = {}) =>
  loadStackSettings(
    "/repo",
    (name) => ({ HOME: "/h", STACK_DIR: "/nonexistent/.stack", ...env })[name],
  );

const service = (name: string, url: string) => ({ name, url: () => url }) as unknown as Service;

Deno.test("the table: state, pid and memory of each service, then the connector", () => {
  const observed: Observed[] = [
    { service: service("postgres", "postgresql://h/cta"), pid: 12, alive: true, healthy: true },
    { service: service("kafka", "127.0.0.1:9092"), pid: 345, alive: true, healthy: false },
    { service: service("registry", "http://r"), alive: false, healthy: false },
    {
      service: service("rest-proxy", "http://p"),
      alive: false,
      healthy: false,
      missing: "rest_proxy/main.ts does not exist yet",
    },
  ];
  const rss = (pid: number) => pid === 12 ? 26 : undefined;
  const table = statusTable(settings(), observed, { name: "cta-stations", state: "absent" }, rss);
  const [header, rule, ...rows] = table.split("\n");
  assert.deepEqual(header.split(/\s+/), ["service", "url", "state", "pid", "rss"]);
  assert.match(rule, /^-+( +-+){4}$/);
  assert.deepEqual(rows.map((row) => row.split(/ {2,}/)), [
    ["postgres", "postgresql://h/cta", "healthy", "12", "26 MiB"],
    ["kafka", "127.0.0.1:9092", "unhealthy", "345", "- MiB"],
    ["registry", "http://r", "stopped", "-", "-"],
    ["rest-proxy", "http://p", "missing (rest_proxy/main.ts does not exist yet)", "-", "-"],
    ["connector cta-stations", "127.0.0.1:8083", "absent", "-", "-"],
  ]);
  // Columns line up: every cell starts where its header does.
  const starts = ["url", "state", "pid", "rss"].map((h) => header.indexOf(h));
  for (const row of rows) {
    for (const start of starts) assert.match(row.slice(start - 2, start + 1), /^ {2}\S$/);
  }
  assert.doesNotMatch(statusTable(settings(), observed, undefined, rss), /connector/);
});

Deno.test("a connector status reads as its state and its tasks' states", () => {
  assert.equal(describeConnector(undefined), "absent");
  assert.equal(
    describeConnector({
      connector: { state: "RUNNING" },
      tasks: [{ id: 0, state: "RUNNING" }, { id: 1, state: "FAILED" }],
    }),
    "RUNNING (tasks RUNNING,FAILED)",
  );
  assert.equal(
    describeConnector({ connector: { state: "PAUSED" }, tasks: [] }),
    "PAUSED (tasks none)",
  );
});

Deno.test("the connector state comes from Kafka Connect's status endpoint", async () => {
  let reply = () =>
    Response.json({ connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "RUNNING" }] });
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    paths.push(new URL(request.url).pathname);
    return reply();
  });
  try {
    const s = settings({ CONNECT_PORT: String(server.addr.port) });
    assert.equal(await connectorState(s), "RUNNING (tasks RUNNING)");
    assert.match(paths[0], /^\/connectors\/cta-stations[\w-]*\/status$/);
    reply = () => new Response("not found", { status: 404 });
    assert.equal(await connectorState(s), "absent");
    reply = () => Response.json({ error_code: 500, message: "rebalancing" }, { status: 500 });
    assert.equal(await connectorState(s), "unknown");
  } finally {
    await server.shutdown();
  }
});
