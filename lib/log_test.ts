import assert from "node:assert/strict";
import {
  type Level,
  type LogFormat,
  logger,
  type LogOutput,
  parseLevel,
  redact,
  REDACTED,
  SecretMask,
  stageLogger,
} from "./log.ts";

interface Captured {
  output: LogOutput;
  lines: { stream: string; line: string }[];
}

function capture(format: LogFormat, level: Level = "info", secrets = new SecretMask()): Captured {
  const lines: Captured["lines"] = [];
  return {
    lines,
    output: {
      format,
      level,
      write: (stream, line) => lines.push({ stream, line }),
      now: () => new Date("2025-03-01T12:00:00.000Z"),
      secrets,
    },
  };
}

Deno.test("readable lines are `<name>: <message>` with the fields as compact JSON", () => {
  const { output, lines } = capture("readable");
  const log = logger("summary", { output });
  log.info("stopped", { in: 3, out: { total: 2 } });
  log.info("health on http://127.0.0.1:1234");
  log.info("", { in: 1 });
  assert.deepEqual(lines.map((l) => l.line), [
    'summary: stopped {"in":3,"out":{"total":2}}',
    "summary: health on http://127.0.0.1:1234",
    'summary: {"in":1}',
  ]);
});

Deno.test("JSON lines carry ts, level, stage, logger, msg and the fields", () => {
  const { output, lines } = capture("json");
  const log = stageLogger("summary", output);
  log.info("stopped", { in: 3, count: 7n, at: new Date("2025-01-01T00:00:00Z") });
  logger("kafka", { output }).warn("broker unreachable", { msg: "clash", broker: "b:9092" });
  const [first, second] = lines.map((l) => JSON.parse(l.line));
  assert.deepEqual(first, {
    ts: "2025-03-01T12:00:00.000Z",
    level: "info",
    stage: "summary",
    logger: "summary",
    msg: "stopped",
    in: 3,
    count: "7",
    at: "2025-01-01T00:00:00.000Z",
  });
  assert.equal(second.stage, "summary");
  assert.equal(second.logger, "kafka");
  assert.equal(second.msg, "broker unreachable");
  assert.equal(second.msg_, "clash");
  assert.equal(second.level, "warn");
});

Deno.test("info and debug go to stdout, warn and error to stderr", () => {
  for (const format of ["readable", "json"] as const) {
    const { output, lines } = capture(format, "debug");
    const log = logger("x", { output });
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    assert.deepEqual(lines.map((l) => l.stream), ["stdout", "stdout", "stderr", "stderr"]);
  }
});

Deno.test("lines below the level are dropped; a logger may have its own level", () => {
  const { output, lines } = capture("readable", "warn");
  const log = logger("x", { output });
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  assert.deepEqual(lines.map((l) => l.line), ["x: w", "x: e"]);
  assert.equal(log.enabled("info"), false);
  assert.equal(log.enabled("error"), true);
  const chatty = logger("kafka", { output, level: "debug" });
  chatty.debug("dd");
  assert.equal(lines.at(-1)?.line, "kafka: dd");
});

Deno.test("LOG_LEVEL values parse case-insensitively; others are refused", () => {
  assert.equal(parseLevel("DEBUG"), "debug");
  assert.equal(parseLevel(" warn "), "warn");
  assert.equal(parseLevel("verbose"), undefined);
  assert.equal(parseLevel(undefined), undefined);
});

Deno.test("fields whose key names a secret are redacted, however deep", () => {
  const { output, lines } = capture("json");
  logger("x", { output }).info("config", {
    kafka: { sasl: { username: "u", password: "hunter22" }, brokers: ["b:1"] },
    registry: { basicAuth: "key:sec" },
    headers: [{ Authorization: "Bearer abc" }],
    PGPASSWORD: "pw",
    apiKey: "k",
    api_key: "k",
    token: "t",
    passengers: 12,
    empty: { password: undefined },
  });
  const line = JSON.parse(lines[0].line);
  assert.equal(line.kafka.sasl, REDACTED);
  assert.deepEqual(line.kafka.brokers, ["b:1"]);
  assert.equal(line.registry.basicAuth, REDACTED);
  assert.equal(line.headers[0].Authorization, REDACTED);
  for (const key of ["PGPASSWORD", "apiKey", "api_key", "token"]) assert.equal(line[key], REDACTED);
  assert.equal(line.passengers, 12);
  assert.ok(!lines[0].line.includes("hunter22"));
});

Deno.test("registered secret values are masked in messages, string fields and errors", () => {
  const secrets = new SecretMask();
  secrets.add("s3cr3t-Value");
  secrets.add("abc"); // too short to mask: it would blot out words
  for (const format of ["readable", "json"] as const) {
    const { output, lines } = capture(format, "info", secrets);
    const log = logger("x", { output });
    log.error("login with s3cr3t-Value failed for abc");
    logger("group-s3cr3t-Value", { output }).info("named after it");
    log.warn("oops", {
      error: new Error("bad password s3cr3t-Value"),
      note: "was s3cr3t-Value",
      nested: [{ reason: "s3cr3t-Value!" }],
    });
    const text = lines.map((l) => l.line).join("\n");
    assert.ok(!text.includes("s3cr3t-Value"), text);
    assert.match(text, /login with \[redacted\] failed for abc/);
    assert.match(text, /Error: bad password \[redacted\]/);
    assert.match(text, /group-\[redacted\]/);
  }
});

Deno.test("credentials in URLs and PEM private keys are masked in text", () => {
  const secrets = new SecretMask();
  assert.equal(
    secrets.mask("registry https://key:secret@host/apis down"),
    "registry https://[redacted]@host/apis down",
  );
  assert.equal(
    secrets.mask("got -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- here"),
    "got [redacted] here",
  );
});

Deno.test("the longest secret is masked first, so one inside another leaves nothing", () => {
  const secrets = new SecretMask();
  secrets.add("user:longpassword");
  secrets.add("longpassword");
  assert.equal(secrets.mask("auth user:longpassword"), "auth [redacted]");
});

Deno.test("redact copes with cycles, bytes, maps and bigints", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const out = redact(
    { cyclic, bytes: new Uint8Array(3), map: new Map([["k", 1n]]) },
    new SecretMask(),
  ) as Record<string, unknown>;
  assert.deepEqual(out.bytes, "[3 bytes]");
  assert.deepEqual(out.map, { k: "1" });
  assert.match(JSON.stringify(out.cyclic), /too deep/);
});
