import assert from "node:assert/strict";
import { kafkaServerProperties } from "./configs.ts";
import { clientEnv, loadStackSettings, StackError } from "./settings.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("ports and the stack dir come from the environment, with the design's defaults", () => {
  const s = loadStackSettings("/repo", env({ HOME: "/home/u", KAFKA_PORT: "9392" }));
  assert.equal(s.stackDir, "/repo/.stack");
  assert.equal(s.cacheDir, "/home/u/.cache/cta-transit-status");
  assert.equal(s.ports.kafka, 9392);
  assert.equal(s.ports.registry, 8081);
  assert.equal(clientEnv(s).KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9392");
  const props = kafkaServerProperties(s, "/data");
  assert.match(
    props,
    /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:9392,CONTROLLER:\/\/127\.0\.0\.1:9093$/m,
  );
  assert.match(props, /^auto\.create\.topics\.enable=false$/m);
});

Deno.test("a bad or clashing port is one clear error", () => {
  assert.throws(() => loadStackSettings("/r", env({ PGPORT: "x" })), StackError);
  assert.throws(
    () => loadStackSettings("/r", env({ CONNECT_PORT: "8082" })),
    /REST_PROXY_PORT and CONNECT_PORT|CONNECT_PORT and REST_PROXY_PORT/,
  );
});
