/**
 * The logs of a real stage: JSON lines under LOG_FORMAT=json, a password from the environment
 * masked wherever it would appear, and one line for a Kafka outage instead of one per retry.
 */
import assert from "node:assert/strict";
import { freshNamespace, waitFor } from "./helpers/mod.ts";
import { startStage } from "./helpers/stage.ts";
import { STAGES } from "../lib/stages.ts";
import { freePort } from "../lib/health.ts";

// Lines Deno itself prints once, which say nothing about the stage (start.ts skips them too).
const DENO_NOISE = [
  "Permissions in the config file is an experimental",
  "TimeoutNegativeWarning",
  "Timeout duration was set to 1.",
];

const linesOf = (output: string) =>
  output.split("\n").filter((line) =>
    line.trim() !== "" && !DENO_NOISE.some((noise) => line.includes(noise))
  );

Deno.test("LOG_FORMAT=json: every line of the summary is a JSON object, and a password never shows", async () => {
  const namespace = freshNamespace();
  // The password is the namespace itself, so that topic names in the lines would carry it.
  const password = namespace.slice(0, -1);
  const stage = startStage(STAGES.summary, [], {
    TOPIC_NAMESPACE: namespace,
    LOG_FORMAT: "json",
    PGPASSWORD: password,
  });
  try {
    await stage.waitReady(30_000);
  } finally {
    assert.equal(await stage.kill("SIGTERM"), 0, stage.output());
  }
  const lines = linesOf(stage.output());
  const parsed = lines.map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      assert.fail(`not a JSON line: ${line}`);
    }
  });
  for (const line of parsed) {
    assert.equal(typeof line.ts, "string", JSON.stringify(line));
    assert.ok(!Number.isNaN(Date.parse(line.ts)), line.ts);
    assert.ok(["debug", "info", "warn", "error"].includes(line.level), JSON.stringify(line));
    assert.equal(line.stage, "summary", JSON.stringify(line));
    assert.equal(typeof line.logger, "string");
    assert.equal(typeof line.msg, "string");
  }
  const messages = parsed.map((line) => line.msg as string);
  assert.ok(messages.some((m) => m.startsWith("health on http://127.0.0.1:")), messages.join("\n"));
  assert.ok(messages.some((m) => /^counting \[redacted\]\.\S+ into /.test(m)), messages.join("\n"));
  assert.ok(messages.some((m) => m === "stopped"), messages.join("\n"));
  assert.ok(!stage.output().includes(password), "the password is masked everywhere");
});

/** Forwards connections from `port` to the broker: Kafka "comes back" on a port it was not on. */
function forwardToBroker(port: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const open = new Set<Deno.Conn>();
  const pipes: Promise<unknown>[] = [];
  const accepting = (async () => {
    for await (const client of listener) {
      const broker = await Deno.connect({ hostname: "127.0.0.1", port: 9092 });
      open.add(client).add(broker);
      pipes.push(
        client.readable.pipeTo(broker.writable).catch(() => {}),
        broker.readable.pipeTo(client.writable).catch(() => {}),
      );
    }
  })().catch(() => {});
  return {
    async close() {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // closed by its pipe
        }
      }
      await Promise.all([accepting, ...pipes]);
    },
  };
}

Deno.test({
  name: "a broker that refuses connections for seconds writes one line, and one when it is back",
  // The forwarding connections' pipes end with the stage; their ops may outlive the test body.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const port = freePort();
    const password = `pw-${crypto.randomUUID()}`;
    const stage = startStage(STAGES.summary, [], {
      TOPIC_NAMESPACE: freshNamespace(),
      KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${port}`,
      PGPASSWORD: password,
    });
    let forwarder: ReturnType<typeof forwardToBroker> | undefined;
    try {
      // kafkajs retries its first connection about a dozen times within these seconds.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const kafkaLines = () => linesOf(stage.output()).filter((l) => l.startsWith("kafka: "));
      assert.deepEqual(kafkaLines(), [
        `kafka: broker 127.0.0.1:${port} unreachable (ECONNREFUSED); retrying quietly`,
      ], stage.output());
      forwarder = forwardToBroker(port);
      await waitFor(() => kafkaLines().length > 1, 15_000, "the line that Kafka is back");
      const back = kafkaLines()[1];
      const match = back.match(
        /^kafka: broker 127\.0\.0\.1:\d+ reachable again after ([\d.]+) s, (\d+) repeated errors suppressed$/,
      );
      assert.ok(match, back);
      // The outage began once the stage had started, within the 4 s waited.
      assert.ok(Number(match[1]) >= 2, back);
      assert.ok(Number(match[2]) >= 4, `retries were made and suppressed: ${back}`);
      assert.ok(!/\[(Connection|BrokerPool)\]/.test(stage.output()), stage.output());
      assert.ok(!stage.output().includes(password));
    } finally {
      await stage.kill("SIGKILL");
      await forwarder?.close();
    }
  },
});
