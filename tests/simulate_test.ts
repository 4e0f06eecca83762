/**
 * The simulation against the real stack: what its report says it produced is exactly what the
 * topics hold, decoded through the schema registry.
 *
 *   deno test -P tests/simulate_test.ts
 */
import assert from "node:assert/strict";
import type { KafkaMessage } from "kafkajs";
import { createKafka } from "../lib/kafka.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { createRegistry } from "../lib/registry.ts";
import { AvroDecoder } from "../lib/contracts/wire_format.ts";
import type { SimulationReport } from "../pipeline/sim/report.ts";
import { ARRIVALS } from "../lib/contracts/arrivals.ts";
import { isLine } from "../lib/contracts/enums.ts";
import { TURNSTILES } from "../lib/contracts/turnstiles.ts";
import { WEATHER } from "../lib/contracts/weather.ts";
import { configFor, freshNamespace } from "./helpers/mod.ts";

const STEPS = 3;
const TRAINS = 30;

async function runSimulation(namespace: string, reportFile: string): Promise<string> {
  const command = new Deno.Command("deno", {
    args: [
      "run",
      "-P=client",
      "pipeline/simulate.ts",
      "--steps",
      String(STEPS),
      "--step-seconds",
      "0",
      "--seed",
      "7",
      "--no-connector",
      "--report",
      reportFile,
    ],
    cwd: new URL("..", import.meta.url),
    env: { TOPIC_NAMESPACE: namespace, KAFKAJS_NO_PARTITIONER_WARNING: "1" },
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, `the simulation failed:\n${output}`);
  return output;
}

Deno.test({
  name: "the topics hold exactly the events the simulation reports, per station",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const namespace = freshNamespace();
    const config = configFor(namespace);
    const kafka = createKafka("simulate-test", config.kafka);
    const decoder = new AvroDecoder(createRegistry(config.registry));
    const reportFile = await Deno.makeTempFile({ suffix: ".json" });
    try {
      const output = await runSimulation(namespace, reportFile);
      assert.equal(output.match(/ step \d+: \d+ events/g)?.length, STEPS, output);
      const report: SimulationReport = JSON.parse(await Deno.readTextFile(reportFile));
      assert.equal(report.steps, STEPS);
      assert.equal(report.topics.turnstiles, config.topics.turnstiles);

      const collect = async (topic: string) => {
        const messages: KafkaMessage[] = [];
        await readToEnd(kafka, topic, (_, m) => void messages.push(m), { readCommitted: false });
        return messages;
      };

      // Turnstiles: one event per entry, keyed by the station it names.
      const turnstiles = await collect(config.topics.turnstiles);
      assert.ok(report.totals.turnstiles > 0);
      assert.equal(turnstiles.length, report.totals.turnstiles);
      const perStation = new Map<string, number>();
      for (const message of turnstiles) {
        const key = TURNSTILES.key.parse(await decoder.decode(message.key));
        const value = TURNSTILES.value.parse(await decoder.decode(message.value));
        assert.equal(key.station_id, value.station_id);
        assert.ok(isLine(value.line), value.line);
        const id = String(value.station_id);
        perStation.set(id, (perStation.get(id) ?? 0) + 1);
      }
      for (const [id, tally] of Object.entries(report.stations)) {
        assert.equal(perStation.get(id) ?? 0, tally.turnstiles, `turnstile events of ${id}`);
      }
      assert.equal(
        perStation.size,
        Object.values(report.stations).filter((s) => s.turnstiles).length,
      );

      // Arrivals: every train once per step; the first step places them with no previous stop.
      const arrivals = await collect(config.topics.arrivals);
      assert.equal(arrivals.length, TRAINS * STEPS);
      assert.equal(report.totals.arrivals, TRAINS * STEPS);
      const decoded = await Promise.all(
        arrivals.map(async (m) => ARRIVALS.value.parse(await decoder.decode(m.value))),
      );
      assert.equal(decoded.filter((a) => a.prev_station_id === null).length, TRAINS);
      assert.equal(new Set(decoded.map((a) => a.train_id)).size, TRAINS);
      const arrivalsPerStation = new Map<string, number>();
      for (const a of decoded) {
        const id = String(a.station_id);
        arrivalsPerStation.set(id, (arrivalsPerStation.get(id) ?? 0) + 1);
      }
      for (const [id, tally] of Object.entries(report.stations)) {
        assert.equal(arrivalsPerStation.get(id) ?? 0, tally.arrivals, `arrivals at ${id}`);
      }

      // Weather, through the REST proxy: the reading at midnight.
      const weather = await collect(config.topics.weather);
      assert.deepEqual(report.weather, [Date.parse(report.start)]);
      const keys = await Promise.all(
        weather.map(async (m) => WEATHER.key.parse(await decoder.decode(m.key))),
      );
      assert.deepEqual(keys.map((k) => k.timestamp), report.weather);
      const value = WEATHER.value.parse(await decoder.decode(weather[0].value));
      assert.equal(value.temperature, 40, "a November start is winter");
    } finally {
      await Deno.remove(reportFile).catch(() => {});
      const admin = kafka.admin();
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(namespace));
      await admin.deleteTopics({ topics }).catch(() => {});
      await admin.disconnect();
    }
  },
});
