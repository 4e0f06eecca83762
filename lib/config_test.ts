import assert from "node:assert/strict";
import {
  ConfigError,
  loadConfig,
  opsTargetsValue,
  redacted,
  withoutCredentials,
} from "./config.ts";
import { tlsOptions } from "./kafka.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const noFiles = (path: string): string => {
  throw new Deno.errors.NotFound(path);
};

const SECRET = `s3cr3t-${crypto.randomUUID()}`;

const MANAGED = {
  KAFKA_BOOTSTRAP_SERVERS: "pkc-123.us-east-2.aws.example.cloud:9092",
  KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
  KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
  KAFKA_SASL_USERNAME: "cta",
  KAFKA_SASL_PASSWORD: SECRET,
  SCHEMA_REGISTRY_URL: "https://psrc-1.example.cloud",
  SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO: `registry-key:${SECRET}`,
  PGPASSWORD: SECRET,
  PGSSLMODE: "verify-full",
};

Deno.test("a managed cluster's settings become SASL_SSL with SCRAM, lower-cased for kafkajs", () => {
  const config = loadConfig(env(MANAGED), noFiles);
  assert.equal(config.kafka.securityProtocol, "SASL_SSL");
  assert.deepEqual(config.kafka.sasl, {
    mechanism: "scram-sha-512",
    username: "cta",
    password: SECRET,
  });
  assert.equal(config.registry.basicAuth, `registry-key:${SECRET}`);
  assert.equal(config.postgres.sslmode, "verify-full");
  assert.equal(tlsOptions(config.kafka), true, "no CA file: the system's CAs");
});

Deno.test("passwords can come from files, so that they stay out of the environment", () => {
  const files: Record<string, string> = {
    "/run/kafka.password": `${SECRET}\n`,
    "/run/registry": `key:${SECRET}\n`,
    "/run/ca.pem": "-----BEGIN CERTIFICATE-----\nCA\n",
  };
  const config = loadConfig(
    env({
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "PLAIN",
      KAFKA_SASL_USERNAME: "cta",
      KAFKA_SASL_PASSWORD_FILE: "/run/kafka.password",
      KAFKA_SSL_CA_FILE: "/run/ca.pem",
      SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO_FILE: "/run/registry",
    }),
    (path) => files[path] ?? noFiles(path),
  );
  assert.equal(config.kafka.sasl?.password, SECRET);
  assert.equal(config.kafka.sasl?.mechanism, "plain");
  assert.equal(config.registry.basicAuth, `key:${SECRET}`);
  assert.deepEqual(tlsOptions(config.kafka, (path) => files[path]), {
    ca: [files["/run/ca.pem"]],
  });
});

Deno.test("PLAINTEXT stays the default and ignores SASL settings", () => {
  const config = loadConfig(env({ KAFKA_SASL_PASSWORD: SECRET }), noFiles);
  assert.equal(config.kafka.securityProtocol, "PLAINTEXT");
  assert.equal(config.kafka.sasl, undefined);
  assert.equal(tlsOptions(config.kafka), undefined);
});

Deno.test("redacted() hides every password, user info and credentials in URLs", () => {
  const config = loadConfig(
    env({ ...MANAGED, REST_PROXY_URL: `https://proxy:${SECRET}@proxy.example.cloud` }),
    noFiles,
  );
  const text = JSON.stringify(redacted(config));
  assert.ok(!text.includes(SECRET), text);
  assert.match(text, /"username":"cta"/);
  assert.match(text, /https:\/\/\*\*\*@proxy\.example\.cloud/);
  assert.equal(withoutCredentials("http://127.0.0.1:8081/apis"), "http://127.0.0.1:8081/apis");
});

Deno.test("configuration errors name the setting, never the secret", () => {
  const cases: Record<string, string>[] = [
    { ...MANAGED, KAFKA_SECURITY_PROTOCOL: "SASL_TLS" },
    { ...MANAGED, KAFKA_SASL_MECHANISM: "SCRAM-SHA-1" },
    { ...MANAGED, KAFKA_SASL_USERNAME: "" },
    { ...MANAGED, PGSSLMODE: "maybe" },
    { ...MANAGED, KAFKA_SSL_CERT_FILE: "/run/client.pem" },
    { ...MANAGED, KAFKA_SASL_PASSWORD: "", KAFKA_SASL_PASSWORD_FILE: "/missing" },
  ];
  for (const vars of cases) {
    assert.throws(() => loadConfig(env(vars), noFiles), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.ok(!error.message.includes(SECRET), error.message);
      return true;
    });
  }
});

Deno.test("no --help text prints a secret from the environment", async () => {
  const scripts = ["pipeline/summary/main.ts", "pipeline/stations/main.ts", "pipeline/simulate.ts"];
  for (const script of scripts) {
    const file = new URL(`../${script}`, import.meta.url);
    if (!(await Deno.stat(file).then(() => true, () => false))) continue;
    const output = await new Deno.Command("deno", {
      args: ["run", "-P=client", file.pathname, "--help"],
      env: { ...MANAGED, KAFKA_SASL_PASSWORD_FILE: "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, `${script} --help: ${text}`);
    assert.match(text, /usage/i, script);
    assert.ok(!text.includes(SECRET), `${script} --help printed the secret`);
  }
});

Deno.test("OPS_TARGETS lists the health servers the ops page scrapes, by name", () => {
  assert.deepEqual(loadConfig(env({}), noFiles).opsTargets, []);
  const config = loadConfig(
    env({ OPS_TARGETS: " summary=http://127.0.0.1:9101/ , stations=https://ops.example:9102,," }),
    noFiles,
  );
  assert.deepEqual(config.opsTargets, [
    { name: "summary", url: "http://127.0.0.1:9101" },
    { name: "stations", url: "https://ops.example:9102" },
  ]);
  const written = opsTargetsValue(config.opsTargets);
  assert.deepEqual(
    loadConfig(env({ OPS_TARGETS: written }), noFiles).opsTargets,
    config.opsTargets,
  );
  const refused: [string, RegExp][] = [
    ["http://127.0.0.1:9101", /name=http/],
    ["=http://127.0.0.1:9101", /name=http/],
    ["summary=127.0.0.1:9101", /summary needs an http\(s\) URL/],
    ["summary=ftp://127.0.0.1/", /summary needs an http\(s\) URL/],
    ["summary=http://a:1,summary=http://b:2", /names summary twice/],
    [`dashboard=http://127.0.0.1:8888`, /the dashboard itself/],
    [`x y=https://u:${SECRET}@h`, /name=http/],
  ];
  for (const [value, reason] of refused) {
    assert.throws(() => loadConfig(env({ OPS_TARGETS: value }), noFiles), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, reason);
      assert.match(error.message, /OPS_TARGETS/);
      assert.ok(!error.message.includes(SECRET), error.message);
      return true;
    });
  }
});

Deno.test("TRAIN_STALE_AFTER and TRAIN_REMOVE_AFTER: simulated minutes, or with a unit", () => {
  assert.deepEqual(loadConfig(env({}), noFiles).dashboard.trainFreshness, {
    staleAfterMs: 15 * 60_000,
    removeAfterMs: 30 * 60_000,
  });
  const given = (stale: string, remove: string) =>
    loadConfig(env({ TRAIN_STALE_AFTER: stale, TRAIN_REMOVE_AFTER: remove }), noFiles)
      .dashboard.trainFreshness;
  assert.deepEqual(given("10", "20"), { staleAfterMs: 600_000, removeAfterMs: 1_200_000 });
  assert.deepEqual(given("500ms", "1.5s"), { staleAfterMs: 500, removeAfterMs: 1500 });
  assert.deepEqual(given("45min", "1h"), { staleAfterMs: 2_700_000, removeAfterMs: 3_600_000 });
  const refused: [string, string, RegExp][] = [
    ["0", "30", /TRAIN_STALE_AFTER must be a positive duration/],
    ["15", "soon", /TRAIN_REMOVE_AFTER must be a positive duration/],
    ["-5", "30", /TRAIN_STALE_AFTER/],
    ["15 days", "30", /TRAIN_STALE_AFTER/],
    ["30", "30", /TRAIN_REMOVE_AFTER must be longer than TRAIN_STALE_AFTER/],
    ["1h", "45", /TRAIN_REMOVE_AFTER must be longer/],
  ];
  for (const [stale, remove, reason] of refused) {
    assert.throws(() => given(stale, remove), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, reason);
      return true;
    });
  }
});

Deno.test("HISTORY_SCHEMA names the history tables' schema: public unless a plain identifier", () => {
  assert.equal(loadConfig(env({}), noFiles).historySchema, "public");
  const schema = (value: string) => loadConfig(env({ HISTORY_SCHEMA: value }), noFiles);
  assert.equal(schema("history_test_1a2b").historySchema, "history_test_1a2b");
  for (const refused of ["Public", "test-1a2b.", 'a"b', "1st", "x".repeat(64)]) {
    assert.throws(() => schema(refused), /HISTORY_SCHEMA must be a lower-case identifier/);
  }
});
