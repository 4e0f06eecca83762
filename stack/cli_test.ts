import assert from "node:assert/strict";
import { parseCommand, USAGE, UsageError } from "./cli.ts";
import { StackError } from "./errors.ts";

const parse = (line: string) => parseCommand(line.split(" ").filter((a) => a !== ""));

Deno.test("up: every service, or only the named ones, with --secure and --brokers", () => {
  assert.deepEqual(parse("up"), { name: "up", brokers: undefined, secure: false, services: [] });
  assert.deepEqual(parse("up --brokers 3 --secure postgres kafka-2"), {
    name: "up",
    brokers: 3,
    secure: true,
    services: ["postgres", "kafka-2"],
  });
  assert.deepEqual(parse("up postgres --brokers 3"), {
    name: "up",
    brokers: 3,
    secure: false,
    services: ["postgres"],
  });
  assert.deepEqual(parse("up --unknown-flag registry"), {
    name: "up",
    brokers: undefined,
    secure: false,
    services: ["registry"],
  });
});

Deno.test("status and down, with --wipe and --brokers", () => {
  assert.deepEqual(parse("status"), { name: "status", brokers: undefined });
  assert.deepEqual(parse("status --brokers 3"), { name: "status", brokers: 3 });
  assert.deepEqual(parse("down"), { name: "down", brokers: undefined, wipe: false });
  assert.deepEqual(parse("down --wipe --brokers 3"), { name: "down", brokers: 3, wipe: true });
  assert.equal(parse("up --wipe").name, "up");
  assert.equal(parse("status --secure").name, "status");
});

Deno.test("logs: the service, -f and -n lines, in any order", () => {
  assert.deepEqual(parse("logs kafka"), {
    name: "logs",
    brokers: undefined,
    service: "kafka",
    follow: false,
    lines: "50",
  });
  assert.deepEqual(parse("logs -n 200 connect -f"), {
    name: "logs",
    brokers: undefined,
    service: "connect",
    follow: true,
    lines: "200",
  });
  assert.deepEqual(parse("logs --brokers 3 kafka-2"), {
    name: "logs",
    brokers: 3,
    service: "kafka-2",
    follow: false,
    lines: "50",
  });
  // Which names exist depends on the stack's size: the caller checks the name.
  assert.deepEqual(parse("logs -f"), {
    name: "logs",
    brokers: undefined,
    service: undefined,
    follow: true,
    lines: "50",
  });
});

Deno.test("no command, an unknown one or a missing flag value is a usage error", () => {
  for (const line of ["", "start", "--help", "--brokers 3", "up --brokers", "logs kafka -n"]) {
    assert.throws(() => parse(line), (e) => e instanceof UsageError && e.message === USAGE, line);
  }
  assert.match(USAGE, /up \[--brokers N\] \[--secure\] \| status \| logs <service>/);
});

Deno.test("a broker count out of range is a stack error, before the command is looked at", () => {
  for (
    const line of ["up --brokers 0", "status --brokers 10", "down --brokers x", "bad --brokers x"]
  ) {
    assert.throws(() => parse(line), (e) => e instanceof StackError && /1 to 9/.test(e.message));
  }
});
