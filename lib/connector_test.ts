import assert from "node:assert/strict";
import { loadConfig } from "./config.ts";
import { stationsConnectorConfig, stationsConnectorName, stationsSlotName } from "./connector.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("the connector routes table stations to the stations topic, compacted", () => {
  const config = loadConfig(env({ PGPORT: "6432", TOPIC_PARTITIONS: "5" }));
  const c = stationsConnectorConfig(config);
  assert.equal(c["table.include.list"], "public.stations");
  assert.equal(c["database.port"], "6432");
  assert.equal(c["transforms.route.replacement"], config.topics.stations);
  assert.ok(
    new RegExp(`^${c["transforms.route.regex"]}$`).test(`${c["topic.prefix"]}.public.stations`),
  );
  assert.equal(c["topic.creation.default.cleanup.policy"], "compact");
  assert.equal(c["topic.creation.default.partitions"], "5");
  assert.equal(c["snapshot.mode"], "initial");
  assert.equal(c["plugin.name"], "pgoutput");
  assert.equal(c["transforms.unwrap.negate"], "true", "tombstones bypass unwrap");
});

Deno.test("each topic namespace gets its own connector, slot and topic", () => {
  const plain = loadConfig(env({}));
  const isolated = loadConfig(env({ TOPIC_NAMESPACE: "test-Ab12.cd." }));
  assert.equal(stationsConnectorName(plain), "cta-stations");
  assert.equal(stationsSlotName(plain), "cta_stations");
  assert.equal(stationsConnectorName(isolated), "cta-stations-test-ab12-cd");
  assert.equal(stationsSlotName(isolated), "cta_stations_test_ab12_cd");
  assert.match(stationsSlotName(isolated), /^[a-z0-9_]{1,63}$/);
  assert.equal(
    stationsConnectorConfig(isolated)["transforms.route.replacement"],
    isolated.topics.stations,
  );
});

Deno.test("Connect is given the database host it reaches, which need not be this client's", () => {
  const local = stationsConnectorConfig(loadConfig(env({ PGHOST: "127.0.0.1" })));
  assert.equal(local["database.hostname"], "127.0.0.1", "by default Connect uses PGHOST");
  const containers = loadConfig(
    env({ PGHOST: "127.0.0.1", CONNECT_DATABASE_HOSTNAME: "postgres" }),
  );
  assert.equal(containers.postgres.host, "127.0.0.1", "this client still uses PGHOST");
  assert.equal(stationsConnectorConfig(containers)["database.hostname"], "postgres");
  const blank = loadConfig(env({ PGHOST: "db.internal", CONNECT_DATABASE_HOSTNAME: "" }));
  assert.equal(stationsConnectorConfig(blank)["database.hostname"], "db.internal");
});
