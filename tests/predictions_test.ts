/**
 * The predictions stage against the real stack: a seeded simulation with a staged break-down and
 * a silenced train flows through the stage, and the predictions topic ends exactly as the pure
 * model computes it from the same simulated events.
 *
 *   deno test -P tests/predictions_test.ts
 */
import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import type { Kafka, KafkaMessage } from "kafkajs";
import { createKafka } from "../lib/kafka.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { type Config, groupId } from "../lib/config.ts";
import { readMetric } from "../lib/metrics.ts";
import { readToEnd } from "../lib/read_to_end.ts";
import { STAGES } from "../lib/stages.ts";
import { ALERTS } from "../lib/contracts/alerts.ts";
import { LINES } from "../lib/contracts/enums.ts";
import {
  DEAD_LETTER_HEADERS,
  deadLetterGroup,
  deadLetterTopic,
} from "../lib/contracts/dead_letters.ts";
import { type PlatformPredictions, PREDICTIONS } from "../lib/contracts/predictions.ts";
import { transformedKey, transformedValue } from "../lib/contracts/stations_transformed.ts";
import { loadSimData } from "../pipeline/sim/data.ts";
import { Simulation } from "../pipeline/sim/model.ts";
import { desiredAlerts } from "../pipeline/predictions/alerts.ts";
import { PredictionModel } from "../pipeline/predictions/model.ts";
import { configFor, freshNamespace, waitFor } from "./helpers/mod.ts";
import { startStage } from "./helpers/stage.ts";

const START = "2026-11-27";
const STEPS = 20;
const SEED = 11;
const STEP_MS = 5 * 60_000;
const BREAK_DOWN = { trainId: "RL002", step: 3, steps: 4 };
const SILENCE = { trainId: "BL001", step: 5 };
const data = loadSimData();

/** The simulation's arrivals, exactly as `deno task simulate` produces them with these options. */
function simulatedArrivals() {
  const sim = new Simulation(data, {
    start: Date.parse(START),
    stepMinutes: 5,
    trainsPerLine: 10,
    seed: SEED,
    weather: false,
    breakDowns: [BREAK_DOWN],
    silences: [SILENCE],
  });
  return Array.from({ length: STEPS }, () => sim.step().arrivals).flat();
}

/** The transformed stations, as the stations stage would write them from the same data. */
async function writeStations(kafka: Kafka, config: Config) {
  await ensureTopics(kafka, config, [topicSpec(config, "stationsTransformed")]);
  const rows: Record<string, string>[] = parse(
    Deno.readTextFileSync(new URL("../data/stations.csv", import.meta.url)),
    { columns: true },
  );
  // A station on two lines has rows of each, with that line's order.
  const order = new Map<string, number>();
  for (const r of rows) {
    for (const line of LINES) {
      if (r[line] === "TRUE") order.set(`${r.station_id}:${line}`, Number(r.order));
    }
  }
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: config.topics.stationsTransformed,
    messages: data.lines.flatMap(({ line, stations }) =>
      stations.map((s) => ({
        key: transformedKey(s.stationId, line),
        value: transformedValue({
          station_id: s.stationId,
          station_name: s.name,
          order: order.get(`${s.stationId}:${line}`)!,
          line,
        }),
      }))
    ),
  });
  // One arrival that is not the wire format: it must end in the dead-letter topic.
  await ensureTopics(kafka, config, [topicSpec(config, "arrivals")]);
  await producer.send({
    topic: config.topics.arrivals,
    messages: [{ key: "x", value: "not an arrival" }],
  });
  await producer.disconnect();
}

async function readAll(kafka: Kafka, topic: string): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  await readToEnd(kafka, topic, (_p, m) => void messages.push(m), { readCommitted: true });
  return messages;
}

function latest(messages: KafkaMessage[]): Map<string, string | null> {
  const state = new Map<string, string | null>();
  for (const m of messages) state.set(m.key!.toString(), m.value?.toString() ?? null);
  return state;
}

function simulate(env: Record<string, string>, stepSeconds: number) {
  return startStage(STAGES.simulate, [
    `--steps=${STEPS}`,
    `--step-seconds=${stepSeconds}`,
    `--seed=${SEED}`,
    `--start=${START}`,
    "--no-weather",
    "--no-connector",
    `--break-down=${BREAK_DOWN.trainId}@${BREAK_DOWN.step}:${BREAK_DOWN.steps}`,
    `--silence=${SILENCE.trainId}@${SILENCE.step}`,
  ], env);
}

/** The pure model fed the simulated events, with the stage's default options. */
function expectedModel(): PredictionModel {
  const model = new PredictionModel();
  for (const { line, stations } of data.lines) {
    model.setLine(line, stations.map((s) => ({ station_id: s.stationId, station_name: s.name })));
  }
  for (const a of simulatedArrivals()) model.observe(a);
  model.expire();
  return model;
}

/** The boards the predictions topic holds now, by key. */
async function readBoards(kafka: Kafka, config: Config) {
  const records = await readAll(kafka, config.topics.predictions);
  const boards = new Map<string, PlatformPredictions>();
  for (const [key, value] of latest(records)) {
    if (value !== null) boards.set(key, PREDICTIONS.value.parse(JSON.parse(value)));
  }
  return { records, boards };
}

function assertSameBoards(
  boards: Map<string, PlatformPredictions>,
  expected: Map<string, PlatformPredictions>,
) {
  assert.deepEqual([...boards.keys()].sort(), [...expected.keys()].sort());
  for (const [key, board] of expected) {
    assert.deepEqual(boards.get(key)!.arrivals, board.arrivals, key);
  }
}

Deno.test({
  name:
    "a seeded simulation flows into predictions the pure model reproduces exactly; a break-down is raised and cleared; a silent train goes stale",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const namespace = freshNamespace();
    const config = configFor(namespace);
    const kafka = createKafka("predictions-test", config.kafka);
    const env = { TOPIC_NAMESPACE: namespace };
    await writeStations(kafka, config);
    const stage = startStage(STAGES.predictions, [], env);
    try {
      await stage.waitReady();
      const simulation = simulate(env, 0.3);
      assert.equal(await simulation.exitWithin(180_000), 0, simulation.output());
      const arrivals = simulatedArrivals();
      assert.equal(arrivals.length, 30 * STEPS - (STEPS - SILENCE.step));
      await waitFor(
        async () =>
          (await readMetric(stage.healthUrl, "cta_records_in_total")) === arrivals.length + 1,
        30_000,
        "every arrival committed",
      );
      assert.match(
        stage.output(),
        /lines from .*red 33 \(topic\), blue 33 \(topic\), green 28 \(topic\)/,
      );

      // The pure model, fed the same events, computes the same boards.
      const model = expectedModel();
      const expected = model.predictions();
      assert.equal(expected.size, 64 + 64 + 54, "every platform of the three lines");
      const { records: predictionRecords, boards } = await readBoards(kafka, config);
      assertSameBoards(boards, expected);
      const end = Date.parse(START) + (STEPS - 1) * STEP_MS;
      assert.ok([...boards.values()].some((b) => b.generated_at === end));

      // The silenced train: on the boards from its last report until it went stale, then gone.
      const lastReport = Date.parse(START) + (SILENCE.step - 1) * STEP_MS;
      const withSilenced = predictionRecords
        .map((m) => m.value && PREDICTIONS.value.parse(JSON.parse(m.value.toString())))
        .filter((b): b is PlatformPredictions =>
          !!b && b.arrivals.some((a) => a.train_id === SILENCE.trainId)
        );
      assert.ok(withSilenced.length > 0);
      const silencedAt = withSilenced.flatMap((b) =>
        b.arrivals.filter((a) => a.train_id === SILENCE.trainId)
      );
      assert.ok(silencedAt.every((a) => a.reported_at <= lastReport));
      const staleAt = lastReport + config.dashboard.trainFreshness.staleAfterMs;
      assert.ok(
        withSilenced.some((b) => b.generated_at >= lastReport + STEP_MS),
        "kept while merely late",
      );
      assert.ok(withSilenced.every((b) => b.generated_at < staleAt), "left out once stale");
      assert.ok(
        [...boards.values()].every((b) => b.arrivals.every((a) => a.train_id !== SILENCE.trainId)),
      );

      // The break-down: raised from its first broken report, cleared when the train ran again.
      const alertKey = ALERTS.key.serialize({ alert_id: `breakdown:${BREAK_DOWN.trainId}` });
      const alertRecords = (await readAll(kafka, config.topics.alerts))
        .filter((m) => m.key!.toString() === alertKey);
      assert.ok(alertRecords.length >= 2, `${alertRecords.length} breakdown records`);
      const raised = ALERTS.value.parse(JSON.parse(alertRecords[0].value!.toString()));
      assert.equal(raised.kind, "breakdown");
      assert.equal(raised.line, "red");
      assert.equal(raised.raised_at, Date.parse(START) + BREAK_DOWN.step * STEP_MS);
      assert.match(raised.message, /Red Line train RL002 has broken down at /);
      assert.equal(alertRecords.at(-1)!.value, null, "cleared with a tombstone");
      const alertsNow = [...latest(await readAll(kafka, config.topics.alerts)).values()]
        .filter((v) => v !== null);
      assert.deepEqual(
        alertsNow,
        [...desiredAlerts(model).values()].map((a) => ALERTS.value.serialize(a)),
      );

      // The one undecodable arrival, with its reason.
      const letters = await readAll(kafka, deadLetterTopic(config.topics.arrivals));
      assert.equal(letters.length, 1);
      assert.equal(letters[0].value!.toString(), "not an arrival");
      assert.match(String(letters[0].headers![DEAD_LETTER_HEADERS.reason]), /magic byte/);
      assert.equal(
        deadLetterGroup(letters[0].headers),
        groupId(config, STAGES.predictions.consumerGroup),
      );
    } finally {
      assert.equal(await stage.kill("SIGTERM"), 0, stage.output());
    }
  },
});

Deno.test({
  name: "a standing-by instance takes over from a killed one and the boards end the same",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const namespace = freshNamespace();
    const config = configFor(namespace);
    const kafka = createKafka("predictions-test", config.kafka);
    const env = { TOPIC_NAMESPACE: namespace };
    await writeStations(kafka, config);
    const first = startStage(STAGES.predictions, [], env);
    await first.waitReady();
    const second = startStage(STAGES.predictions, [], env);
    try {
      await second.waitReady();
      const role = async (stage: typeof first) =>
        (await (await fetch(`${stage.healthUrl}/readyz`)).json()).detail.role;
      assert.deepEqual([await role(first), await role(second)], ["active", "standby"]);
      const simulation = simulate(env, 0.5);
      await waitFor(
        async () => ((await readMetric(first.healthUrl, "cta_records_in_total")) ?? 0) > 150,
        30_000,
        "the first instance at work",
      );
      await first.kill("SIGKILL");
      assert.equal(await simulation.exitWithin(180_000), 0, simulation.output());
      const expected = expectedModel().predictions();
      await waitFor(
        async () => {
          try {
            assertSameBoards((await readBoards(kafka, config)).boards, expected);
            return true;
          } catch {
            return false;
          }
        },
        45_000,
        "the boards of the whole run",
      );
      assert.equal(await role(second), "active");
      assert.match(second.output(), /took .* over .*; replaying \d+ arrivals; 1\d\d boards/);
    } finally {
      await first.kill("SIGKILL");
      assert.equal(await second.kill("SIGTERM"), 0, second.output());
    }
  },
});
