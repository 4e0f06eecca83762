/**
 * The turnstile summary stage: a running, exactly-once count of turnstile entries per station,
 * repartitioned by station whatever partitioner the producers of the input used.
 *
 *   deno task summary                 # one instance; start more to scale out
 *   deno task summary --help
 */
import { parseArgs } from "node:util";
import type { Kafka } from "kafkajs";
import { type Config, groupId, loadConfig } from "../../lib/config.ts";
import { STAGES } from "../../lib/stages.ts";
import { createKafka } from "../../lib/kafka.ts";
import { createRegistry } from "../../lib/registry.ts";
import {
  deadLetterSpec,
  EAGER_COMPACTION,
  ensureTopics,
  partitionCount,
  type TopicSpec,
  topicSpec,
} from "../../lib/admin.ts";
import { endOffsets } from "../../lib/read_to_end.ts";
import { AvroDecoder } from "../../lib/contracts/wire_format.ts";
import { runExactlyOnce, type RunOptions } from "../../lib/exactly_once/run.ts";
import { runStageUntilSignal } from "../../lib/lifecycle.ts";
import { stageLogger } from "../../lib/log.ts";
import { StageMetrics } from "../../lib/metrics.ts";
import { countsHop, entriesHop, type SummaryTopics } from "./topology.ts";
import { stationDecoder } from "./decode.ts";
import { restartProblem } from "./restart_check.ts";

const HELP = `Usage: deno task summary [options]

Keeps a running count of turnstile entries per station in TURNSTILE_SUMMARY, exactly once.
Events are brought together by station inside the stage (a repartition topic of partial counts),
so the count is exact whatever partitioner wrote the input. Run several instances to share the
work.

Options:
  --group <id>          consumer group; names the internal topics and transactional ids
                        (default: turnstile-summary)
  --concurrency <n>     partitions of each hop processed at once (default: 3)
  --help                show this help

Configuration comes from the environment (KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, ...).`;

/** The stage's topics: the contract's input and output, and internal topics named by group. */
export function summaryTopics(config: Config, group: string): SummaryTopics {
  return {
    turnstiles: config.topics.turnstiles,
    partialCounts: `${group}-partial-counts`,
    entriesCheckpoints: `${group}-entries-checkpoints`,
    countsCheckpoints: `${group}-counts-checkpoints`,
    summary: config.topics.turnstileSummary,
    deadLetters: deadLetterSpec(config, "turnstiles").topic,
  };
}

async function prepareTopics(kafka: Kafka, config: Config, topics: SummaryTopics) {
  const partitions = config.partitions;
  const checkpoints = (topic: string, count: number): TopicSpec => ({
    topic,
    compacted: true,
    partitions: count,
    configs: EAGER_COMPACTION,
  });
  await ensureTopics(kafka, config, [topicSpec(config, "turnstiles")]);
  const inputPartitions = await partitionCount(kafka, topics.turnstiles);
  await ensureTopics(kafka, config, [
    { ...topicSpec(config, "turnstileSummary", partitions), configs: EAGER_COMPACTION },
    // Purged by the stage as it commits, never by time.
    { topic: topics.partialCounts, partitions, configs: { "retention.ms": "-1" } },
    checkpoints(topics.entriesCheckpoints, inputPartitions),
    checkpoints(topics.countsCheckpoints, partitions),
    deadLetterSpec(config, "turnstiles"),
  ]);
  // The summary is co-partitioned with the partial counts: one row per station.
  const [summary, partial, counts] = await Promise.all(
    [topics.summary, topics.partialCounts, topics.countsCheckpoints].map((t) =>
      partitionCount(kafka, t)
    ),
  );
  if (summary !== partial || counts !== partial) {
    throw new SetupError(
      `${topics.summary} has ${summary} partitions, ${topics.partialCounts} ${partial} and ` +
        `${topics.countsCheckpoints} ${counts}; they must match. Recreate ${topics.summary} ` +
        `with ${partial} partitions.`,
    );
  }
  return partial;
}

class SetupError extends Error {}

async function written(kafka: Kafka, topic: string): Promise<bigint> {
  let sum = 0n;
  for (const end of (await endOffsets(kafka, topic)).values()) sum += end;
  return sum;
}

export interface SummaryOptions {
  group: string;
  concurrency: number;
  /** The engine's ports on the broker; default `kafkajsPorts`. */
  ports?: RunOptions["ports"];
}

/** Prepares the topics, checks they fit together, then counts until SIGINT or SIGTERM. */
export async function runSummaryStage(options: SummaryOptions): Promise<void> {
  const log = stageLogger("summary");
  const config = loadConfig();
  const kafka = createKafka("turnstile-summary", config.kafka);
  const group = groupId(config, options.group);
  const topics = summaryTopics(config, group);
  let partitions: number;
  try {
    partitions = await prepareTopics(kafka, config, topics);
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    log.error(error.message);
    Deno.exit(2);
  }
  const problem = restartProblem(
    {
      summary: await written(kafka, topics.summary),
      countsCheckpoints: await written(kafka, topics.countsCheckpoints),
      partialCounts: await written(kafka, topics.partialCounts),
      entriesCheckpoints: await written(kafka, topics.entriesCheckpoints),
    },
    { group, ...topics },
  );
  if (problem) {
    log.error(problem);
    Deno.exit(2);
  }
  const decodeStations = stationDecoder(new AvroDecoder(createRegistry(config.registry)));
  const stage = await runExactlyOnce(
    kafka,
    [entriesHop(topics, decodeStations, partitions), countsHop(topics)],
    {
      groupId: group,
      concurrency: options.concurrency,
      metrics: new StageMetrics("summary"),
      ports: options.ports,
    },
  );
  log.info(`counting ${topics.turnstiles} into ${topics.summary} as group ${group}`);
  await runStageUntilSignal(stage, "summary", { health: config.health });
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      group: { type: "string", default: STAGES.summary.consumerGroup },
      concurrency: { type: "string", default: "3" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  await runSummaryStage({ group: values.group, concurrency: Number(values.concurrency) });
}
