/**
 * The stations stage: the `stations` table, as Kafka Connect streams it, into one record per
 * station and line on org.chicago.cta.stations.transformed.
 *
 *   deno task stations
 *   deno task stations --help
 *
 * Every instance replays the small, compacted input from the beginning into an index of stops
 * and then follows live changes. Instances in one consumer group share the writing: the owner of
 * an input partition writes that partition's dead letters and its own share of the output
 * partitions, in transactions that fence the previous owner, and on taking a partition over it
 * writes only what differs from what that share already holds (see ownership.ts).
 * Re-running it, or running several, therefore adds nothing a reader could see. A write that
 * still fails after the client's retries ends the stage with one line and exit code 1.
 */
import { parseArgs } from "node:util";
import type { Consumer, KafkaMessage, Producer, RetryOptions } from "kafkajs";
import { groupId, loadConfig } from "../../lib/config.ts";
import { STAGES } from "../../lib/stages.ts";
import { createKafka } from "../../lib/kafka.ts";
import { deadLetterSpec, ensureTopics, partitionCount, topicSpec } from "../../lib/admin.ts";
import { CatchUp, endOffsets, readToEnd } from "../../lib/read_to_end.ts";
import { runStageUntilSignal } from "../../lib/lifecycle.ts";
import { stageLogger } from "../../lib/log.ts";
import { StageMetrics } from "../../lib/metrics.ts";
import { byPartition, partitionFor } from "../../lib/partitioned_send.ts";
import { deadLetterHeaders, deadLetterSource } from "../../lib/contracts/dead_letters.ts";
import { type OutputRecord, readStopRecord, StationIndex } from "./topology.ts";
import {
  AppliedOffsets,
  type DeadLetter,
  DeadLetterBook,
  OutputShare,
  outputsOf,
  sourceOf,
} from "./ownership.ts";
import {
  Budget,
  consumerRestarts,
  errorLine,
  isFenced,
  oneLine,
  watchConsumer,
} from "../../lib/stage_failures.ts";

const HELP = `Usage: deno task stations [--help]

Transforms org.chicago.cta.stations (one row per platform stop, from Kafka Connect) into
org.chicago.cta.stations.transformed: {station_id, station_name, order, line}, one record per
station and line, compacted. Rows that belong to none of the Red, Blue and Green lines are
dropped; rows that cannot be read go to the dead-letter topic with the reason. Instances in the
same consumer group (stations-transform under TOPIC_NAMESPACE) share the work.

Configuration comes from the environment (KAFKA_BOOTSTRAP_SERVERS, TOPIC_NAMESPACE, ...).`;

/** Consumer restarts in a row, and fenced take-overs of one partition in a row, before giving up. */
const log = stageLogger("stations");

const RESTARTS_IN_A_ROW = 5;
const TAKEOVERS_IN_A_ROW = 10;
/** About 15 s of retries for a write before the stage ends. */
const PRODUCER_RETRY: RetryOptions = { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 };

interface Claim {
  partition: number;
  producer: Producer;
  share: OutputShare;
  /** The take-over is complete: this instance writes the partition's share from now on. */
  ready: boolean;
  released: boolean;
}

/** A failure already described by what the stage was doing. */
class StageError extends Error {
  constructor(doing: string, cause: unknown) {
    super(errorLine(doing, cause));
  }
}

const sorted = (partitions: Iterable<number>) => [...partitions].sort((a, b) => a - b);
const list = (partitions: Iterable<number>) => `[${sorted(partitions).join(", ")}]`;

async function main(): Promise<void> {
  const config = loadConfig();
  const kafka = createKafka("stations-transform", config.kafka);
  const input = config.topics.stations;
  const output = config.topics.stationsTransformed;
  const deadLetters = deadLetterSpec(config, "stations");
  const group = groupId(config, STAGES.stations.consumerGroup);

  const step = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new StageError(doing, error);
    }
  };
  await step("creating the topics", () =>
    ensureTopics(kafka, config, [
      topicSpec(config, "stations"),
      topicSpec(config, "stationsTransformed"),
      deadLetters,
    ]));
  const inputPartitions = await step(`reading ${input}`, () => partitionCount(kafka, input));
  const outputPartitions = await step(`reading ${output}`, () => partitionCount(kafka, output));
  const replay = new CatchUp(await step(`reading ${input}`, () => endOffsets(kafka, input)));
  // The partitioner every earlier writer used, so that a key stays in one partition.
  const partitionOf = (key: string) => partitionFor(output, { key, value: null }, outputPartitions);

  let fail!: (error: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  let stopping = false;
  const stats = { rows: 0, written: 0, deadLetters: 0, stations: 0, partitions: [] as number[] };
  const metrics = new StageMetrics("stations");

  // State changes and writes run one at a time, in order. A failure ends the stage.
  let queue = Promise.resolve();
  const serially = (doing: string, work: () => Promise<void> | void): Promise<void> =>
    queue = queue.then(() => stopping ? undefined : work()).catch((error) => {
      if (!stopping) fail(error instanceof StageError ? error : new StageError(doing, error));
    });

  const index = new StationIndex();
  const applied = new AppliedOffsets();
  const book = new DeadLetterBook<KafkaMessage>();
  const claims = new Map<number, Claim>();
  const takeovers = new Map<number, Budget>();
  let assigned = new Set<number>();
  let live = false;
  let goLive!: () => void;
  const wentLive = new Promise<void>((resolve) => (goLive = resolve));

  function refreshStats() {
    stats.stations = [...claims.values()].reduce((n, c) => n + (c.ready ? c.share.size : 0), 0);
    stats.partitions = sorted(assigned);
  }

  function reportIfReady() {
    refreshStats();
    if (![...assigned].every((p) => claims.get(p)?.ready)) return;
    const outputs = [...assigned].flatMap((p) => outputsOf(p, inputPartitions, outputPartitions));
    log.info(
      `ready with input partitions ${list(assigned)} of ${inputPartitions} ` +
        `(output partitions ${list(outputs)}); ${stats.stations} stations`,
    );
  }

  async function release(claim: Claim) {
    claim.released = true;
    if (claims.get(claim.partition) === claim) claims.delete(claim.partition);
    await claim.producer.disconnect().catch(() => {});
  }

  /**
   * Another instance took the claim's producer id over, which a late take-over from an earlier
   * assignment can do: take the partition back while the group still assigns it here.
   */
  async function fenced(claim: Claim) {
    await release(claim);
    const { partition } = claim;
    if (!assigned.has(partition) || claims.has(partition)) return;
    const budget = takeovers.get(partition) ?? new Budget(TAKEOVERS_IN_A_ROW);
    takeovers.set(partition, budget);
    if (!budget.spend()) {
      throw new Error(`input partition ${partition} was fenced ${budget.max} times in a row`);
    }
    log.info(`input partition ${partition} was fenced; taking it over again`);
    startClaim(partition, 1_000);
  }

  /** Writes records and dead letters of one claim in one transaction; runs serially. */
  async function write(claim: Claim, records: OutputRecord[], letters: DeadLetter<KafkaMessage>[]) {
    if (claim.released || (records.length === 0 && letters.length === 0)) return;
    let doing = "starting a transaction";
    const started = performance.now();
    try {
      const transaction = await claim.producer.transaction();
      try {
        if (records.length > 0) {
          doing = `writing ${output}`;
          // One partition per request: see lib/partitioned_send.ts for why.
          for (const [partition, messages] of byPartition(output, records, outputPartitions)) {
            await transaction.send({
              topic: output,
              acks: -1,
              messages: messages.map((m) => ({ ...m, partition })),
            });
          }
        }
        if (letters.length > 0) {
          doing = `writing ${deadLetters.topic}`;
          await transaction.send({
            topic: deadLetters.topic,
            acks: -1,
            messages: letters.map(({ partition, offset, reason, message }) => ({
              key: message.key,
              value: message.value,
              headers: deadLetterHeaders(reason, { topic: input, partition, offset }, group),
            })),
          });
        }
        doing = "committing a transaction";
        await transaction.commit();
      } catch (error) {
        metrics.transactions.inc({ outcome: "aborted" });
        await transaction.abort().catch(() => {});
        throw error;
      }
      metrics.transactions.inc({ outcome: "committed" });
      metrics.transactionSeconds.observe((performance.now() - started) / 1000);
    } catch (error) {
      if (claim.released) return;
      if (isFenced(error)) return await fenced(claim);
      throw new StageError(`${doing} for input partition ${claim.partition}`, error);
    }
    claim.share.written(records);
    book.written(letters);
    if (records.length > 0) metrics.recordsOut.inc({ topic: output }, records.length);
    if (letters.length > 0) metrics.deadLetters.inc({ topic: input }, letters.length);
    stats.written += records.length;
    stats.deadLetters += letters.length;
    for (const { partition, offset, reason } of letters) {
      log.warn(`dead letter at ${input} ${sourceOf(partition, offset)}: ${reason}`);
    }
    refreshStats();
  }

  /**
   * Takes input partition `partition` over: fence its earlier owner, read back the output
   * partitions and dead letters it owns, and once the index is complete write the difference.
   */
  function startClaim(partition: number, delayMs = 0) {
    const outputs = outputsOf(partition, inputPartitions, outputPartitions);
    const claim: Claim = {
      partition,
      producer: kafka.producer({
        transactionalId: `stations-transform-${input}-${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        retry: PRODUCER_RETRY,
      }),
      share: new OutputShare(new Set(outputs), partitionOf),
      ready: false,
      released: false,
    };
    claims.set(partition, claim);
    (async () => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (claim.released) return;
      const started = performance.now();
      await claim.producer.connect();
      // The first transaction initialises the producer id, which fences the earlier owner and
      // completes or aborts its open transaction: only then is the output final to read.
      await (await claim.producer.transaction()).abort();
      if (outputs.length > 0) {
        await readToEnd(kafka, output, (_q, m) => {
          const key = m.key?.toString();
          if (key !== undefined) claim.share.restore(key, m.value?.toString() ?? null);
        }, { partitions: outputs });
      }
      const alreadyDead = new Set<string>();
      await readToEnd(kafka, deadLetters.topic, (_p, m) => {
        const source = deadLetterSource(m.headers);
        if (source?.partition === partition) alreadyDead.add(sourceOf(partition, source.offset));
      });
      await wentLive;
      await serially(`taking over input partition ${partition}`, async () => {
        if (claim.released) return;
        await write(claim, claim.share.diff(index.all()), book.due(partition, alreadyDead));
        if (claim.released) return;
        claim.ready = true;
        metrics.restoreSeconds.observe((performance.now() - started) / 1000);
        takeovers.get(partition)?.reset();
        reportIfReady();
      });
    })().catch((error) =>
      serially(`taking over input partition ${partition}`, async () => {
        if (claim.released) return;
        if (!isFenced(error)) throw error;
        await fenced(claim);
      })
    );
  }

  async function reassign(partitions: number[]) {
    assigned = new Set(partitions);
    for (const claim of [...claims.values()]) {
      if (!assigned.has(claim.partition)) await release(claim);
    }
    for (const partition of assigned) {
      if (!claims.has(partition)) startClaim(partition);
    }
    log.info(`assigned input partitions ${list(assigned)} of ${inputPartitions}`);
    reportIfReady();
  }

  async function onInput(partition: number, message: KafkaMessage) {
    if (!applied.take(partition, message.offset)) return;
    stats.rows++;
    metrics.recordsIn.inc({ topic: input });
    const change = readStopRecord(
      message.key?.toString() ?? null,
      message.value?.toString() ?? null,
    );
    if ("reason" in change) {
      book.add({ partition, offset: message.offset, reason: change.reason, message });
      const claim = claims.get(partition);
      if (live && claim?.ready) await write(claim, [], book.due(partition, new Set()));
      return;
    }
    const affected = index.apply(change.stopId, change.row);
    if (!live) return;
    const desired = index.all();
    for (const claim of [...claims.values()]) {
      if (claim.ready && !claim.released) {
        await write(claim, claim.share.diff(desired, affected), []);
      }
    }
  }

  const restarts = (name: string, budget: Budget) => consumerRestarts(name, budget, log);
  const watch = (consumer: Consumer, budget: Budget, doing: string) =>
    watchConsumer(consumer, budget, (error) => {
      if (!stopping) fail(new StageError(doing, error));
    });

  // Reads the whole input into the index; its group is its own.
  const readerRestarts = new Budget(RESTARTS_IN_A_ROW);
  const reader = kafka.consumer({
    groupId: groupId(config, `stations-replay-${crypto.randomUUID()}`),
    maxWaitTimeInMs: 200,
    retry: restarts("the input reader", readerRestarts),
  });
  replay.follow(reader);
  watch(reader, readerRestarts, `reading ${input}`);

  // Only its assignment is used: which input partitions this instance owns.
  const ownerRestarts = new Budget(RESTARTS_IN_A_ROW);
  const owner = kafka.consumer({
    groupId: group,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 1_000,
    retry: restarts("the group member", ownerRestarts),
  });
  owner.on(owner.events.GROUP_JOIN, ({ payload }) => {
    serially(
      "taking the assigned partitions",
      () => reassign(payload.memberAssignment[input] ?? []),
    );
  });
  watch(owner, ownerRestarts, `taking part in group ${group}`);

  replay.done.then(() =>
    serially(`reading ${input}`, () => {
      live = true;
      goLive();
      log.info(`caught up with ${input}; ${index.all().size} stations`);
    })
  );

  const running = runStageUntilSignal(
    {
      stats,
      metrics,
      failed,
      ready: () => live,
      async stop() {
        stopping = true;
        await Promise.allSettled([owner.disconnect(), reader.disconnect()]);
        await queue;
        await Promise.all([...claims.values()].map(release));
      },
    },
    "stations",
    { health: config.health },
  );

  try {
    reader.on(reader.events.END_BATCH_PROCESS, ({ payload }) => {
      metrics.consumerLag.set(
        { topic: payload.topic, partition: String(payload.partition) },
        Number(payload.offsetLag),
      );
    });
    await reader.connect();
    await reader.subscribe({ topic: input, fromBeginning: true });
    await reader.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        await serially(`reading ${input}`, () => onInput(partition, message));
        replay.reached(partition, message.offset);
      },
    });
    await owner.connect();
    await owner.subscribe({ topic: input, fromBeginning: false });
    await owner.run({ autoCommit: false, eachBatch: () => Promise.resolve() });
    log.info(`transforming ${input} into ${output} as group ${group}`);
  } catch (error) {
    fail(new StageError("connecting to Kafka", error));
  }
  await running;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { help: { type: "boolean", default: false } } });
  if (values.help) {
    console.log(HELP);
  } else {
    await main().catch((error) => {
      log.error(`failed: ${oneLine(error)}`);
      Deno.exit(1);
    });
  }
}
