import assert from "node:assert/strict";
import { kafkaServerProperties } from "./configs.ts";
import { StackError } from "./errors.ts";
import { loadStackSettings, nodeIds, nodePorts, plainClientEnv } from "./settings.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("ports and the stack dir come from the environment, with the design's defaults", () => {
  const s = loadStackSettings("/repo", env({ HOME: "/home/u", KAFKA_PORT: "9392" }));
  assert.equal(s.stackDir, "/repo/.stack");
  assert.equal(s.cacheDir, "/home/u/.cache/cta-transit-status");
  assert.equal(s.ports.kafka, 9392);
  assert.equal(s.ports.registry, 8081);
  assert.equal(plainClientEnv(s).KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9392");
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

Deno.test("a three-broker cluster: node ports, a static three-voter quorum and replication 3", () => {
  const s = loadStackSettings("/repo", env({ HOME: "/h", KAFKA_BROKERS: "3" }));
  assert.equal(s.brokers, 3);
  assert.deepEqual(nodeIds(s).map((id) => nodePorts(s, id)), [
    { broker: 9092, controller: 9093 },
    { broker: 9094, controller: 9095 },
    { broker: 9096, controller: 9097 },
  ]);
  const client = plainClientEnv(s);
  assert.equal(client.KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096");
  assert.equal(client.TOPIC_REPLICATION_FACTOR, "3");
  const props = kafkaServerProperties(s, "/data", 2);
  assert.match(props, /^node\.id=2$/m);
  assert.match(
    props,
    /^controller\.quorum\.voters=1@127\.0\.0\.1:9093,2@127\.0\.0\.1:9095,3@127\.0\.0\.1:9097$/m,
  );
  assert.match(
    props,
    /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:9094,CONTROLLER:\/\/127\.0\.0\.1:9095$/m,
  );
  assert.match(props, /^offsets\.topic\.replication\.factor=3$/m);
  assert.match(props, /^transaction\.state\.log\.min\.isr=2$/m);
  assert.match(props, /^min\.insync\.replicas=2$/m);
  assert.doesNotMatch(props, /controller\.quorum\.bootstrap\.servers/);
});

Deno.test("a single broker keeps replication 1 and bootstraps its own quorum", () => {
  const s = loadStackSettings("/repo", env({ HOME: "/h" }));
  assert.equal(s.brokers, 1);
  assert.equal(plainClientEnv(s).TOPIC_REPLICATION_FACTOR, "1");
  const props = kafkaServerProperties(s, "/data");
  assert.match(props, /^controller\.quorum\.bootstrap\.servers=127\.0\.0\.1:9093$/m);
  assert.match(props, /^transaction\.state\.log\.replication\.factor=1$/m);
  assert.match(props, /^min\.insync\.replicas=1$/m);
});

Deno.test("a cluster whose node ports clash with another service is refused", () => {
  assert.throws(
    () => loadStackSettings("/r", env({ KAFKA_BROKERS: "3", CONNECT_PORT: "9096" })),
    /9096/,
  );
  assert.throws(() => loadStackSettings("/r", env({ KAFKA_BROKERS: "0" })), StackError);
});
