/** The running stack: Kafka round trip, Avro through Apicurio, and a clean `down` (isolated). */
import assert from "node:assert/strict";
import { ensureTopics } from "../lib/admin.ts";
import { createKafka } from "../lib/kafka.ts";
import { createRegistry, registerTopicSchemas } from "../lib/registry.ts";
import { groupMembers, isAlive, isListening, readPid } from "../stack/process.ts";
import { DEFAULT_PORTS, shiftedStackEnv } from "../stack/settings.ts";
import { configFor, consumeAll, freshNamespace } from "./helpers/mod.ts";

Deno.test("a record produced through kafkajs is consumed back", async () => {
  const config = configFor(freshNamespace());
  const kafka = createKafka("stack-test", config.kafka);
  const topic = config.topics.arrivals;
  await ensureTopics(kafka, config, [{ topic, partitions: 1 }]);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const value = `hello ${crypto.randomUUID()}`;
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: "40380", value }] });
  } finally {
    await producer.disconnect();
  }
  const records = await consumeAll(kafka, topic, { until: (r) => r.length >= 1 });
  assert.equal(records.length, 1);
  assert.equal(records[0].key?.toString(), "40380");
  assert.equal(records[0].value?.toString(), value);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).finally(() => admin.disconnect());
});

Deno.test("an Avro schema from schemas/ registers in Apicurio and round-trips a value", async () => {
  const config = configFor(freshNamespace());
  const registry = createRegistry(config.registry);
  const ids = await registerTopicSchemas(registry, "turnstiles", config.topics.turnstiles);
  assert.ok(ids.key > 0 && ids.value > 0);
  const again = await registerTopicSchemas(registry, "turnstiles", config.topics.turnstiles);
  assert.deepEqual(again, ids, "re-registering returns the same ids");
  const event = {
    station_id: 40380,
    station_name: "Clark/Lake",
    line: "blue",
    event_time: 1_795_737_600_000,
  };
  const encoded = await registry.encode(ids.value, event);
  assert.equal(encoded[0], 0, "Confluent wire format starts with magic byte 0");
  assert.equal(encoded.readInt32BE(1), ids.value);
  assert.deepEqual({ ...(await registry.decode(encoded)) }, event);
});

const SHIFT = 300;

async function stackCommand(env: Record<string, string>, ...args: string[]) {
  const output = await new Deno.Command("deno", {
    args: ["run", "-P=stack", "stack/main.ts", ...args],
    cwd: new URL("..", import.meta.url).pathname,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  return { code: output.code, text };
}

Deno.test({
  name: "stack down leaves no listening port and no child process (isolated second stack)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const stackDir = await Deno.makeTempDir({ prefix: "cta-stack-test-" });
    const ports = Object.values(DEFAULT_PORTS).map((p) => p + SHIFT);
    const env = shiftedStackEnv(stackDir, SHIFT);
    for (const port of ports) {
      assert.equal(await isListening("127.0.0.1", port), false, `port ${port} free before`);
    }
    try {
      const up = await stackCommand(env, "up");
      assert.equal(up.code, 0, up.text);
      assert.match(up.text, /kafka\s+127\.0\.0\.1:9392\s+healthy/);
      const pids: number[] = [];
      for await (const entry of Deno.readDir(`${stackDir}/run`)) {
        const pid = await readPid(`${stackDir}/run/${entry.name}`);
        if (pid) pids.push(pid);
      }
      const postmaster = await readPid(`${stackDir}/postgres/data/postmaster.pid`);
      if (postmaster) pids.push(postmaster);
      assert.ok(pids.length >= 5, `pids of every service: ${pids}`);
      assert.ok(pids.every(isAlive));

      const down = await stackCommand(env, "down");
      assert.equal(down.code, 0, down.text);
      for (const port of ports) {
        assert.equal(await isListening("127.0.0.1", port), false, `port ${port} after down`);
      }
      for (const pid of pids) {
        assert.equal(isAlive(pid), false, `pid ${pid} after down`);
        assert.deepEqual(groupMembers(pid), [], `process group ${pid} after down`);
      }
    } finally {
      await stackCommand(env, "down", "--wipe");
      await Deno.remove(stackDir, { recursive: true }).catch(() => {});
    }
  },
});
