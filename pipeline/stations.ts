/**
 * The stations stage: the `stations` table, as Kafka Connect streams it, into one record per
 * station and line on org.chicago.cta.stations.transformed.
 *
 *   deno task stations
 *   deno task stations --help
 *
 * The input is small and compacted, so every start replays it from the beginning into an index
 * of stops, compares the result with what the output already holds, and writes only the
 * difference; after that it follows live changes. Re-running it therefore adds nothing a
 * reader could see, and it needs no committed offsets.
 */
import { parseArgs } from "node:util";
import type { KafkaMessage } from "kafkajs";
import { loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { deadLetterSpec, ensureTopics, topicSpec } from "../lib/admin.ts";
import { CatchUp, endOffsets, readToEnd } from "../lib/read_to_end.ts";
import { runUntilSignal } from "../lib/lifecycle.ts";
import {
  changes,
  type OutputRecord,
  parseStationRow,
  parseStopKey,
  StationIndex,
} from "./station_transform.ts";

const HELP = `Usage: deno task stations [--help]

Transforms org.chicago.cta.stations (one row per platform stop, from Kafka Connect) into
org.chicago.cta.stations.transformed: {station_id, station_name, order, line}, one record per
station and line, compacted. Rows that belong to none of the Red, Blue and Green lines are
dropped; rows that cannot be read go to the dead-letter topic with the reason.

Configuration comes from the environment (KAFKA_BOOTSTRAP_SERVERS, TOPIC_NAMESPACE, ...).`;

/** Where a dead letter came from; the DLQ is read at start so that a replay adds none twice. */
function sourceOf(partition: number, offset: string): string {
  return `${partition}@${offset}`;
}

async function main() {
  const config = loadConfig();
  const kafka = createKafka("stations-transform", config.kafka);
  const input = config.topics.stations;
  const output = config.topics.stationsTransformed;
  const deadLetters = deadLetterSpec(config, "stations");
  await ensureTopics(kafka, config, [
    topicSpec(config, "stations"),
    topicSpec(config, "stationsTransformed"),
    deadLetters,
  ]);

  const emitted = new Map<string, string>();
  await readToEnd(kafka, output, (_p, m) => {
    const key = m.key?.toString();
    if (key === undefined) return;
    if (m.value === null) emitted.delete(key);
    else emitted.set(key, m.value.toString());
  });
  const deadLettered = new Set<string>();
  await readToEnd(kafka, deadLetters.topic, (_p, m) => {
    deadLettered.add(
      sourceOf(Number(m.headers?.["source.partition"]), String(m.headers?.["source.offset"])),
    );
  });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const stats = { rows: 0, written: 0, deadLetters: 0, stations: emitted.size };

  async function write(records: OutputRecord[]) {
    if (records.length === 0) return;
    await producer.send({ topic: output, acks: -1, messages: records });
    for (const { key, value } of records) {
      if (value === null) emitted.delete(key);
      else emitted.set(key, value);
    }
    stats.written += records.length;
    stats.stations = emitted.size;
  }

  const index = new StationIndex();
  const catchUp = new CatchUp(await endOffsets(kafka, input));
  const consumer = kafka.consumer({
    groupId: `stations-transform-${crypto.randomUUID()}`,
    maxWaitTimeInMs: 200,
  });
  catchUp.follow(consumer);

  async function handle(partition: number, message: KafkaMessage): Promise<OutputRecord[]> {
    stats.rows++;
    const stopId = parseStopKey(message.key?.toString() ?? null);
    const parsed = parseStationRow(message.value?.toString() ?? null);
    const reason = stopId === null
      ? "key has no integer stop_id"
      : "reason" in parsed
      ? parsed.reason
      : null;
    if (reason !== null) {
      const source = sourceOf(partition, message.offset);
      if (!deadLettered.has(source)) {
        await producer.send({
          topic: deadLetters.topic,
          acks: -1,
          messages: [{
            key: message.key,
            value: message.value,
            headers: {
              reason,
              "source.topic": input,
              "source.partition": String(partition),
              "source.offset": message.offset,
            },
          }],
        });
        deadLettered.add(source);
        stats.deadLetters++;
        console.error(`stations: dead letter at ${input} ${source}: ${reason}`);
      }
      return [];
    }
    const row = "row" in parsed ? parsed.row : null;
    if (!live) {
      index.apply(stopId!, row);
      return [];
    }
    return index.update(emitted, stopId!, row);
  }

  // Messages and the switch to live run one at a time, in order.
  let live = false;
  let queue = Promise.resolve();
  const serially = (work: () => Promise<void>) => (queue = queue.then(work));

  const wentLive = catchUp.done.then(() =>
    serially(async () => {
      live = true;
      // The replay is complete: write what differs from the output, once.
      await write(changes(emitted, index.all()));
      console.log(`stations: caught up with ${input}; ${emitted.size} stations on ${output}`);
    })
  );
  await consumer.connect();
  await consumer.subscribe({ topic: input, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) =>
      serially(async () => {
        await write(await handle(partition, message));
        catchUp.reached(partition, message.offset);
      }),
  });
  await wentLive;

  let fail!: (error: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fail(payload.error);
  });
  console.log(`stations: transforming ${input} into ${output}`);
  await runUntilSignal({
    stats,
    failed,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  }, "stations");
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { help: { type: "boolean", default: false } } });
  if (values.help) {
    console.log(HELP);
  } else {
    await main();
  }
}
