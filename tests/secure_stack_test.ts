/**
 * The secured stack for real: an isolated `stack up --secure` (SASL_SSL + SCRAM-SHA-512), a
 * seeded simulation and the summary stage over it with exact counts, a wrong password, a client
 * without TLS, and no Kafka port that speaks plain text.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { parseSummaryValue } from "../lib/contracts/turnstile_summary.ts";
import type { SimulationReport } from "../pipeline/sim/report.ts";
import { readPid } from "../stack/process.ts";
import { DEFAULT_PORTS, portVariable, type StackPorts } from "../stack/settings.ts";
import { consumeAll, freshNamespace, waitFor } from "./helpers/mod.ts";
import { endWithin } from "./helpers/stage.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SHIFT = 640;
/** Every port of the stack, each moved by SHIFT, by its environment variable. */
const PORTS: Record<string, number> = Object.fromEntries(
  (Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[]).map((key) => [
    portVariable(key),
    DEFAULT_PORTS[key] + SHIFT,
  ]),
);

async function run(args: string[], env: Record<string, string>, timeoutMs = 240_000) {
  const output = await new Deno.Command("deno", {
    args,
    cwd: ROOT,
    env: { KAFKAJS_NO_PARTITIONER_WARNING: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  return { code: output.code, text };
}

/** The environment file `up` writes: every client setting, with password files. */
async function stackEnv(stackDir: string): Promise<Record<string, string>> {
  const text = await Deno.readTextFile(`${stackDir}/env`);
  return Object.fromEntries(
    text.trim().split("\n").map((
      line,
    ) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/** Sends a Kafka ApiVersions request in plain text; true when a Kafka response comes back. */
async function answersPlaintextKafka(port: number): Promise<boolean> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const clientId = new TextEncoder().encode("probe");
    const body = new Uint8Array(2 + 2 + 4 + 2 + clientId.length);
    const view = new DataView(body.buffer);
    view.setInt16(0, 18); // ApiVersions
    view.setInt16(2, 0); // version 0
    view.setInt32(4, 4242); // correlation id
    view.setInt16(8, clientId.length);
    body.set(clientId, 10);
    const frame = new Uint8Array(4 + body.length);
    new DataView(frame.buffer).setInt32(0, body.length);
    frame.set(body, 4);
    await conn.write(frame);
    const reply = new Uint8Array(8);
    const read = await Promise.race([
      conn.read(reply).catch(() => null),
      new Promise<null>((r) => setTimeout(() => r(null), 5000)),
    ]);
    return read !== null && read >= 8 && new DataView(reply.buffer).getInt32(4) === 4242;
  } finally {
    conn.close();
  }
}

/** TCP ports on which process `pid` listens, from `ss`. */
async function listeningPorts(pid: number): Promise<number[]> {
  const { stdout } = await new Deno.Command("ss", { args: ["-Hltnp"], stdout: "piped" }).output();
  return new TextDecoder().decode(stdout).split("\n")
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(line.trim().split(/\s+/)[3].split(":").at(-1)));
}

Deno.test({
  name: "secure stack: exact counts over SASL_SSL, one error for a wrong password, no plaintext",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const stackDir = await Deno.makeTempDir({ prefix: "cta-secure-stack-" });
    const stack = {
      STACK_DIR: stackDir,
      ...Object.fromEntries(Object.entries(PORTS).map(([k, v]) => [k, String(v)])),
    };
    // Replaces -P=client's read list: the repository plus the secrets.
    const readSecrets = `--allow-read=${ROOT},${stackDir}`;
    try {
      const up = await run(["run", "-P=stack", "stack/main.ts", "up", "--secure"], stack);
      // Every service must be healthy; the connector's state is not this test's subject.
      for (const service of ["postgres", "kafka", "registry", "connect", "rest-proxy"]) {
        assert.match(up.text, new RegExp(`^${service}\\s+\\S+\\s+healthy`, "m"), up.text);
      }
      assert.match(up.text, /secure: Kafka on SASL_SSL with SCRAM-SHA-512/);
      const env: Record<string, string> = {
        ...await stackEnv(stackDir),
        TOPIC_NAMESPACE: freshNamespace(),
      };
      assert.equal(env.KAFKA_SECURITY_PROTOCOL, "SASL_SSL");
      const secrets = await Promise.all(
        ["admin", "connect", "cta"].map((u) =>
          Deno.readTextFile(`${stackDir}/secrets/${u}.password`)
        ),
      );
      const mode = (await Deno.stat(`${stackDir}/secrets/cta.password`)).mode! & 0o777;
      assert.equal(mode, 0o600, "password files are private");
      for (const secret of secrets) {
        assert.ok(!up.text.includes(secret.trim()), "no password printed");
      }

      await t.step("a seeded simulation and the summary count exactly, per station", async () => {
        const reportFile = `${stackDir}/report.json`;
        const simulation = await run([
          "run",
          "-P=client",
          readSecrets,
          `--allow-write=${reportFile}`,
          "pipeline/simulate.ts",
          "--steps",
          "3",
          "--step-seconds",
          "0",
          "--seed",
          "11",
          "--no-weather",
          "--no-connector",
          "--report",
          reportFile,
        ], env);
        assert.equal(simulation.code, 0, simulation.text);
        const report: SimulationReport = JSON.parse(await Deno.readTextFile(reportFile));
        const expected = new Map(
          Object.entries(report.stations).filter(([, s]) => s.turnstiles > 0)
            .map(([id, s]) => [Number(id), s.turnstiles]),
        );
        assert.ok(expected.size > 50, `stations with entries: ${expected.size}`);

        const summary = new Deno.Command("deno", {
          args: ["run", "-P=client", readSecrets, "pipeline/summary/main.ts"],
          cwd: ROOT,
          env: { KAFKAJS_NO_PARTITIONER_WARNING: "1", ...env },
          stdout: "null",
          stderr: "null",
        }).spawn();
        try {
          const config = loadConfig((name) => env[name] ?? Deno.env.get(name));
          const latest = new Map<number, number>();
          const matches = () =>
            expected.size === latest.size &&
            [...expected].every(([id, count]) => latest.get(id) === count);
          const kafka = createKafka("secure-test", config.kafka);
          const admin = kafka.admin();
          await admin.connect();
          await waitFor(
            async () => (await admin.listTopics()).includes(config.topics.turnstileSummary),
            90_000,
            "the summary stage to create its output topic",
          ).finally(() => admin.disconnect());
          await consumeAll(
            kafka,
            config.topics.turnstileSummary,
            {
              timeoutMs: 90_000,
              until: (records) => {
                latest.clear();
                for (const r of records) {
                  const value = parseSummaryValue(r.value?.toString() ?? null);
                  if (value) latest.set(value.STATION_ID, value.COUNT);
                }
                return matches();
              },
            },
          );
          assert.deepEqual(latest, expected);
        } finally {
          summary.kill("SIGTERM");
          await endWithin(
            summary.status,
            summary,
            60_000,
            () => "the summary ran on after SIGTERM",
          );
        }
      });

      await t.step("a wrong password ends a stage with one clear error line", async () => {
        const wrong = `wrong-${crypto.randomUUID()}`;
        const result = await run(
          ["run", "-P=client", readSecrets, "pipeline/summary/main.ts"],
          { ...env, KAFKA_SASL_PASSWORD: wrong },
          60_000,
        );
        assert.notEqual(result.code, 0);
        const lines = result.text.split("\n").filter((l) => /credentials|authentication/i.test(l));
        assert.equal(lines.length, 1, result.text);
        assert.match(lines[0], /^error: Kafka at .* refused the credentials of user "cta"/);
        assert.ok(!result.text.includes(wrong), "the password is not printed");
      });

      await t.step("a client without TLS is refused", async () => {
        const plain = await run(
          ["run", "-P=client", readSecrets, "pipeline/summary/main.ts"],
          { ...env, KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT" },
          60_000,
        );
        assert.notEqual(plain.code, 0, "a SASL client without TLS gets nowhere");
        assert.equal(await answersPlaintextKafka(PORTS.KAFKA_PORT), false);
      });

      await t.step("Kafka listens on no plaintext port", async () => {
        const pid = await readPid(`${stackDir}/run/kafka.pid`);
        assert.ok(pid);
        const ports = await listeningPorts(pid);
        assert.deepEqual(
          ports.toSorted(),
          [PORTS.KAFKA_PORT, PORTS.KAFKA_CONTROLLER_PORT].toSorted(),
          "the broker and the controller listener, nothing else",
        );
        for (const port of ports) {
          assert.equal(await answersPlaintextKafka(port), false, `port ${port} speaks plain text`);
        }
        const ca = await Deno.readTextFile(env.KAFKA_SSL_CA_FILE);
        const tls = await Deno.connectTls({
          hostname: "127.0.0.1",
          port: PORTS.KAFKA_PORT,
          caCerts: [ca],
        });
        const handshake = await tls.handshake();
        tls.close();
        assert.ok(handshake, "the broker port completes a TLS handshake with the stack's CA");
      });
    } finally {
      const down = await run(["run", "-P=stack", "stack/main.ts", "down", "--wipe"], stack);
      assert.equal(down.code, 0, down.text);
      await Deno.remove(stackDir, { recursive: true }).catch(() => {});
    }
  },
});
