/**
 * The turnstile summary stage: a running, exactly-once count of turnstile entries per station.
 *
 *   deno task summary                 # one instance; start more to scale out
 *   deno task summary --help
 *
 * Reads org.chicago.cta.turnstiles (Avro), writes TURNSTILE_SUMMARY (JSON, compacted,
 * co-partitioned with the input) and puts undecodable records in the turnstiles DLQ.
 */
import { parseArgs } from "node:util";
import type { Buffer } from "node:buffer";
import type { KafkaMessage } from "kafkajs";
import { groupId, loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { createRegistry } from "../lib/registry.ts";
import { deadLetterSpec, ensureTopics, partitionCount, topicSpec } from "../lib/admin.ts";
import { AvroDecoder, WireFormatError } from "../lib/wire_format.ts";
import { type DeadLetter, type ExactlyOnceTopology, runExactlyOnce } from "../lib/exactly_once.ts";
import {
  countEntries,
  type Counts,
  isStationRecordLayout,
  parseSummaryValue,
  stationIdOfRecord,
  stationOf,
  summaryKey,
  summaryValue,
} from "./turnstile_summary.ts";
import { runUntilSignal } from "../lib/lifecycle.ts";

const HELP = `Usage: deno task summary [options]

Keeps a running count of turnstile entries per station in TURNSTILE_SUMMARY, exactly once.
Run several instances to share the partitions of the turnstile topic.

Options:
  --group <id>          consumer group (default: turnstile-summary)
  --concurrency <n>     partitions processed at once (default: 3)
  --help                show this help

Configuration comes from the environment (KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, ...).`;

/** What avsc tells of a record type's fields; other types have none. */
interface RecordTypeShape {
  fields?: { name: string; type: { typeName: string } }[];
}

export function summaryTopology(
  decoder: AvroDecoder,
  topics: { input: string; output: string; deadLetters: string },
): ExactlyOnceTopology<Counts> {
  // Per writer schema id: how many strings follow station_id when the station id can be read
  // straight from the bytes, or null when only the full decoder will do.
  const layouts = new Map<number, Promise<number | null>>();
  const stringsAfterStation = (schemaId: number): Promise<number | null> => {
    let layout = layouts.get(schemaId);
    if (!layout) {
      layout = decoder.writerType(schemaId).then((type) => {
        const fields = ((type as unknown as RecordTypeShape).fields ?? [])
          .map((f) => ({ name: f.name, typeName: f.type.typeName }));
        return isStationRecordLayout(fields) ? fields.length - 1 : null;
      }, () => {
        layouts.delete(schemaId);
        return null;
      });
      layouts.set(schemaId, layout);
    }
    return layout;
  };
  const schemaIdOf = (value: Buffer | null) =>
    value !== null && value.length >= 5 && value[0] === 0 ? value.readUInt32BE(1) : undefined;

  return {
    name: "turnstile-summary",
    inputTopic: topics.input,
    outputTopic: topics.output,
    deadLetterTopic: topics.deadLetters,
    emptyState: () => new Map(),
    restore(counts, message) {
      const summary = parseSummaryValue(message.value?.toString() ?? null);
      if (summary) counts.set(summary.STATION_ID, summary.COUNT);
    },
    async process(counts, messages: KafkaMessage[]) {
      const ids = new Set<number>();
      for (const m of messages) {
        const id = schemaIdOf(m.value);
        if (id !== undefined) ids.add(id);
      }
      const layoutOf = new Map<number, number | null>();
      await Promise.all(
        [...ids].map(async (id) => layoutOf.set(id, await stringsAfterStation(id))),
      );

      // The common case reads station_id from the bytes; the rest take the full decoder.
      const stations: number[] = [];
      const others: KafkaMessage[] = [];
      for (const m of messages) {
        const id = schemaIdOf(m.value);
        const strings = id === undefined ? null : layoutOf.get(id) ?? null;
        const station = strings === null ? null : stationIdOfRecord(m.value!, 5, strings);
        if (station !== null && station > 0) stations.push(station);
        else others.push(m);
      }
      const deadLetters: DeadLetter[] = [];
      if (others.length > 0) {
        const decoded = await decoder.decodeAll(others.map((m) => m.value));
        decoded.forEach((value, i) => {
          const station = value instanceof WireFormatError
            ? { reason: value.message }
            : stationOf(value);
          if ("reason" in station) deadLetters.push({ message: others[i], reason: station.reason });
          else stations.push(station.stationId);
        });
      }
      const changed = countEntries(counts, stations);
      const outputs = [...changed].map(([stationId, count]) => ({
        key: summaryKey(stationId),
        value: summaryValue(stationId, count),
      }));
      return { outputs, deadLetters };
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      group: { type: "string", default: "turnstile-summary" },
      concurrency: { type: "string", default: "3" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  const config = loadConfig();
  const kafka = createKafka("turnstile-summary", config.kafka);
  const input = config.topics.turnstiles;
  const output = config.topics.turnstileSummary;
  await ensureTopics(kafka, config, [topicSpec(config, "turnstiles")]);
  // The output is the state's changelog: it must have the input's partitions, one for one.
  const partitions = await partitionCount(kafka, input);
  await ensureTopics(kafka, config, [
    topicSpec(config, "turnstileSummary", partitions),
    deadLetterSpec(config, "turnstiles"),
  ]);
  const outputPartitions = await partitionCount(kafka, output);
  if (outputPartitions !== partitions) {
    console.error(
      `summary: ${output} has ${outputPartitions} partitions but ${input} has ${partitions}; ` +
        `they must match. Recreate ${output} with ${partitions} partitions.`,
    );
    Deno.exit(2);
  }
  const topology = summaryTopology(new AvroDecoder(createRegistry(config.registry)), {
    input,
    output,
    deadLetters: deadLetterSpec(config, "turnstiles").topic,
  });
  const group = groupId(config, values.group);
  const stage = await runExactlyOnce(kafka, topology, {
    groupId: group,
    concurrency: Number(values.concurrency),
  });
  console.log(`summary: counting ${input} into ${output} as group ${group}`);
  await runUntilSignal(stage, "summary");
}
