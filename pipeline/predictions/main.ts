/**
 * The predictions stage: the arrivals in, the next trains of every platform and service alerts
 * out (see model.ts, alerts.ts and stage.ts for what it computes).
 *
 *   deno task predictions
 *   deno task predictions --help
 *
 * One instance works at a time. Arrivals are keyed by station, so every line's trains report in
 * every partition, and the model needs all of them: the group's assignor (single_owner.ts)
 * gives every partition to its longest-running member, and further instances stand by.
 *
 * Taking the input over: the transactional producer (one transactional id per namespace) is
 * initialised first, which fences any earlier owner and ends its open transaction; then the
 * output topics are read back (read_committed) to know what readers see; then each partition is
 * replayed from `--replay` records before the group's committed offset, which rebuilds the model
 * (the window ends where the last committed transaction left off; records before that offset were
 * already dead-lettered and committed by the earlier owner). Once every partition has reached the
 * end it had, one transaction writes the difference between the model and the topics, and from
 * then on every batch is one transaction: its changed boards and alerts, its dead letters and the
 * group's next offsets. The outputs are compacted "latest state" topics, so a batch written again
 * after a crash only writes states already written; the offsets in the same transaction keep the
 * dead letters exactly once.
 */
import { parseArgs } from "node:util";
import type { Consumer, KafkaMessage, Producer, Transaction } from "kafkajs";
import { groupId, loadConfig } from "../../lib/config.ts";
import { STAGES } from "../../lib/stages.ts";
import { createKafka } from "../../lib/kafka.ts";
import { createRegistry } from "../../lib/registry.ts";
import {
  deadLetterSpec,
  EAGER_COMPACTION,
  ensureTopics,
  partitionCount,
  topicSpec,
} from "../../lib/admin.ts";
import { CatchUp, endOffsets, readToEnd } from "../../lib/read_to_end.ts";
import { runStageUntilSignal } from "../../lib/lifecycle.ts";
import { stageLogger } from "../../lib/log.ts";
import { StageMetrics } from "../../lib/metrics.ts";
import { partitionFor } from "../../lib/partitioned_send.ts";
import { ARRIVALS, type ArrivalValue } from "../../lib/contracts/arrivals.ts";
import { LINES } from "../../lib/contracts/enums.ts";
import { AvroDecoder, WireFormatError } from "../../lib/contracts/wire_format.ts";
import { DependencyUnavailableError, type OutputRecord } from "../../lib/exactly_once/ports.ts";
import {
  chunkByBytes,
  deadLetterRecord,
  DEFAULT_MAX_MESSAGE_BYTES,
  requestBudget,
} from "../../lib/exactly_once/chunks.ts";
import {
  Budget,
  consumerRestarts,
  isFenced,
  oneLine,
  watchConsumer,
} from "../../lib/stage_failures.ts";
import { parseLines } from "../sim/data.ts";
import { LineIndex, type LineSource } from "./lines.ts";
import { PredictionsTopology, replayWindow } from "./stage.ts";
import { singleOwnerAssigner } from "./single_owner.ts";

const HELP = `Usage: deno task predictions [options]

Reads org.chicago.cta.station.arrivals and writes, for every station, line and direction, the
next trains and when they will arrive, learned from recent travel times between stations
(org.chicago.cta.predictions, compacted), and alerts for broken-down trains and gaps in service
(org.chicago.cta.alerts, compacted; a tombstone clears an alert). The order of each line comes
from org.chicago.cta.stations.transformed, or from data/stations.csv for a line that topic holds
no station of. Arrivals that cannot be read go to the dead-letter topic with the reason.

One instance works at a time (it needs every partition of the arrivals); more instances in the
same namespace stand by and take over when it stops.

Options:
  --arrivals-per-platform N  trains listed per platform (default 3)
  --gap-after MINUTES        simulated minutes without an in-service train in a direction
                             before a service-gap alert (default 20)
  --replay N                 arrivals per partition replayed to rebuild the state when taking
                             over (default 2000)
  --help                     show this help

TRAIN_STALE_AFTER and TRAIN_REMOVE_AFTER (simulated minutes, default 15 and 30) set when a train
without reports leaves the predictions and when it is forgotten. The rest comes from the
environment (KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, TOPIC_NAMESPACE, ...).`;

const log = stageLogger("predictions");

/** Consumer restarts in a row before the stage gives up. */
const RESTARTS_IN_A_ROW = 5;

interface Options {
  arrivalsPerPlatform: number;
  gapAfterMs: number;
  replay: bigint;
}

function parseOptions(args: string[]): Options | "help" {
  const { values } = parseArgs({
    args,
    options: {
      "arrivals-per-platform": { type: "string", default: "3" },
      "gap-after": { type: "string", default: "20" },
      replay: { type: "string", default: "2000" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const positive = (name: string, raw: string) => {
    const value = Number(raw);
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new UsageError(`--${name} must be a positive number, got "${raw}"`);
    }
    return value;
  };
  const whole = (name: string, raw: string) => {
    const value = positive(name, raw);
    if (!Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number`);
    return value;
  };
  return {
    arrivalsPerPlatform: whole("arrivals-per-platform", values["arrivals-per-platform"]),
    gapAfterMs: positive("gap-after", values["gap-after"]) * 60_000,
    replay: BigInt(whole("replay", values.replay)),
  };
}

class UsageError extends Error {}

/** A failure that ends the stage, already described. */
class StageError extends Error {}

/** What a take-over knows while it replays and then follows the arrivals. */
interface Activation {
  /** Per partition: the first offset replayed, and the first not written by an earlier owner. */
  replayFrom: Map<number, bigint>;
  resumeAt: Map<number, bigint>;
  catchUp: CatchUp;
  live: boolean;
  started: number;
  /** Waiting for the next transaction. */
  offsets: Map<number, bigint>;
  letters: OutputRecord[];
  recordsIn: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isRetriable(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError) return true;
  return error instanceof Error && error.name.startsWith("KafkaJS");
}

async function main(options: Options): Promise<void> {
  const config = loadConfig();
  const kafka = createKafka("predictions", config.kafka);
  const topics = {
    arrivals: config.topics.arrivals,
    stations: config.topics.stationsTransformed,
    predictions: config.topics.predictions,
    alerts: config.topics.alerts,
  };
  const deadLetters = deadLetterSpec(config, "arrivals");
  const deadLetterMaxBytes = Number(deadLetters.configs?.["max.message.bytes"]);
  const group = groupId(config, STAGES.predictions.consumerGroup);
  const { staleAfterMs, removeAfterMs } = config.dashboard.trainFreshness;
  const startedAt = Date.now();

  const setup = async <T>(doing: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new StageError(`${doing}: ${oneLine(error)}`);
    }
  };
  await setup("creating the topics", () =>
    ensureTopics(kafka, config, [
      topicSpec(config, "arrivals"),
      topicSpec(config, "stationsTransformed"),
      { ...topicSpec(config, "predictions"), configs: EAGER_COMPACTION },
      { ...topicSpec(config, "alerts"), configs: EAGER_COMPACTION },
      deadLetters,
    ]));
  const outputPartitions = new Map<string, number>();
  for (const topic of [topics.predictions, topics.alerts]) {
    outputPartitions.set(
      topic,
      await setup(`reading ${topic}`, () => partitionCount(kafka, topic)),
    );
  }
  const decoder = new AvroDecoder(createRegistry(config.registry));
  const admin = kafka.admin();
  await setup("connecting to Kafka", () => admin.connect());

  let fail!: (error: Error) => void;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  let stopping = false;
  const metrics = new StageMetrics("predictions");
  const stats = {
    role: "joining" as "joining" | "active" | "standby",
    arrivals: 0,
    duplicates: 0,
    withoutEventTime: 0,
    tooOld: 0,
    deadLetters: 0,
    unreadableStations: 0,
    trains: 0,
    platforms: 0,
    alerts: 0,
    watermark: null as string | null,
    lines: {} as Record<string, LineSource>,
  };

  // Activations, batches and line changes run one at a time, in order; errors reach the caller.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.catch(() => {});
    return run;
  };

  /**
   * Runs `work` until it succeeds. A broker or registry that is down is waited for (with the
   * group's heartbeat kept up); a fenced producer or any other error ends the stage. Returns
   * undefined when the work is no longer wanted.
   */
  async function retrying<T>(
    doing: string,
    work: () => Promise<T>,
    wanted: () => boolean,
    heartbeat?: () => Promise<void>,
  ): Promise<T | undefined> {
    let delay = 100;
    let warned = false;
    for (;;) {
      try {
        const result = await work();
        if (warned) log.info(`${doing}: works again`);
        return result;
      } catch (error) {
        if (isFenced(error)) {
          throw new StageError(`${doing}: another instance has taken the arrivals over (fenced)`);
        }
        if (!isRetriable(error)) throw new StageError(`${doing}: ${oneLine(error)}`);
        if (!warned) log.warn(`${doing} failed (${oneLine(error)}); retrying`);
        warned = true;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 5_000);
      await heartbeat?.();
      if (stopping || !wanted()) return undefined;
    }
  }

  // The lines: the transformed stations, read to their end before anything else, then followed.
  const lines = new LineIndex(
    parseLines(Deno.readTextFileSync(new URL("../../data/stations.csv", import.meta.url))),
  );
  let topology: PredictionsTopology | null = null;
  const refreshLines = (t: PredictionsTopology, changed: Iterable<(typeof LINES)[number]>) => {
    for (const line of changed) {
      const { stations, source } = lines.stations(line);
      t.model.setLine(line, stations);
      stats.lines[line] = source;
    }
  };
  const stationsCaughtUp = new CatchUp(
    await setup(`reading ${topics.stations}`, () => endOffsets(kafka, topics.stations, admin)),
  );
  const readerRestarts = new Budget(RESTARTS_IN_A_ROW);
  const reader = kafka.consumer({
    groupId: groupId(config, `predictions-lines-${crypto.randomUUID()}`),
    maxWaitTimeInMs: 500,
    retry: restarts("the stations reader", readerRestarts),
  });
  stationsCaughtUp.follow(reader);
  watch(reader, readerRestarts, `reading ${topics.stations}`);

  const producerFor = () =>
    kafka.producer({
      transactionalId: group,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      retry: { initialRetryTime: 25, retries: 8 },
    });
  let producer: Producer | null = null;

  async function connectProducer(): Promise<Producer> {
    if (producer) return producer;
    const fresh = producerFor();
    try {
      await fresh.connect();
      // The first transaction initialises the producer id: that fences every earlier owner and
      // ends its open transaction, so the outputs read next are final.
      await (await fresh.transaction()).abort();
    } catch (error) {
      await fresh.disconnect().catch(() => {});
      throw error;
    }
    return producer = fresh;
  }

  async function dropProducer(): Promise<void> {
    const old = producer;
    producer = null;
    await old?.disconnect().catch(() => {});
  }

  let activation: Activation | null = null;
  /** Group joins seen: an activation is wanted only while no later join has come. */
  let joins = 0;

  const arrivalsRestarts = new Budget(RESTARTS_IN_A_ROW);
  const consumer = kafka.consumer({
    groupId: group,
    partitionAssigners: [singleOwnerAssigner(startedAt)],
    // A standby notices a dead owner within this; the retries in between keep the heartbeat up.
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 250,
    retry: restarts("the arrivals consumer", arrivalsRestarts),
  });
  watch(consumer, arrivalsRestarts, `reading ${topics.arrivals}`);

  /** Takes the assigned partitions over, or stands by when there are none. */
  async function activate(partitions: number[], join: number): Promise<void> {
    const wanted = () => join === joins;
    if (!wanted()) return; // a later join is queued behind this one
    activation = null;
    if (partitions.length === 0) {
      stats.role = "standby";
      await dropProducer();
      log.info(`standing by: another member of group ${group} owns ${topics.arrivals}`);
      return;
    }
    stats.role = "active";
    const started = performance.now();
    const taken = await retrying(`taking ${topics.arrivals} over`, async () => {
      await connectProducer();
      const ends = await endOffsets(kafka, topics.arrivals, admin);
      const low = new Map(
        (await admin.fetchTopicOffsets(topics.arrivals)).map((o) => [o.partition, BigInt(o.low)]),
      );
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topics.arrivals] });
      const committedAt = new Map(
        committed.partitions.map((p) => [p.partition, BigInt(p.offset)]),
      );
      const t = new PredictionsTopology(
        { predictions: topics.predictions, alerts: topics.alerts },
        { arrivalsPerPlatform: options.arrivalsPerPlatform, staleAfterMs, removeAfterMs },
        { gapAfterMs: options.gapAfterMs },
      );
      refreshLines(t, LINES);
      for (const topic of [topics.predictions, topics.alerts]) {
        await readToEnd(kafka, topic, (_p, m: KafkaMessage) => {
          t.restore(topic, m.key?.toString() ?? null, m.value?.toString() ?? null);
        });
      }
      const replayFrom = new Map<number, bigint>();
      const resumeAt = new Map<number, bigint>();
      for (const partition of partitions) {
        const window = replayWindow({
          low: low.get(partition) ?? 0n,
          end: ends.get(partition) ?? 0n,
          committed: committedAt.get(partition) ?? -1n,
        }, options.replay);
        replayFrom.set(partition, window.replayFrom);
        resumeAt.set(partition, window.resumeAt);
      }
      const behind = partitions.filter((p) => (ends.get(p) ?? 0n) > replayFrom.get(p)!);
      return { t, replayFrom, resumeAt, catchUp: new CatchUp(ends, behind), ends };
    }, wanted);
    if (!taken || !wanted()) return;
    topology = taken.t;
    const a: Activation = {
      replayFrom: taken.replayFrom,
      resumeAt: taken.resumeAt,
      catchUp: taken.catchUp,
      live: false,
      started,
      offsets: new Map(),
      letters: [],
      recordsIn: 0,
    };
    activation = a;
    for (const partition of partitions) {
      consumer.seek({
        topic: topics.arrivals,
        partition,
        offset: String(a.replayFrom.get(partition)),
      });
    }
    const replaying = partitions.reduce(
      (sum, p) => sum + Number((taken.ends.get(p) ?? 0n) - a.replayFrom.get(p)!),
      0,
    );
    log.info(
      `took ${topics.arrivals} over (partitions ${
        partitions.join(", ")
      }); replaying ${replaying} ` +
        `arrivals; ${taken.t.boardCount} boards and ${taken.t.alertCount} alerts written before`,
    );
    if (a.catchUp.caughtUp) await goLive(a, wanted);
  }

  async function goLive(a: Activation, wanted: () => boolean, heartbeat?: () => Promise<void>) {
    if (!(await flush(a, wanted, heartbeat))) return;
    a.live = true;
    metrics.restoreSeconds.observe((performance.now() - a.started) / 1000);
    log.info(
      `ready: ${stats.platforms} platforms, ${stats.alerts} alerts, ${stats.trains} trains, ` +
        `event time ${stats.watermark ?? "none yet"}`,
    );
  }

  /** Writes what changed, the dead letters and the offsets in one transaction; false if dropped. */
  async function flush(
    a: Activation,
    wanted: () => boolean,
    heartbeat?: () => Promise<void>,
  ): Promise<boolean> {
    const t = topology!;
    const changes = t.changes();
    const letters = a.letters;
    const offsets = [...a.offsets].map(([partition, offset]) => ({
      partition,
      offset: String(offset),
    }));
    if (changes.length > 0 || letters.length > 0 || offsets.length > 0) {
      const records: OutputRecord[] = [
        ...changes.map((r) => ({
          ...r,
          partition: partitionFor(r.topic, r, outputPartitions.get(r.topic)!),
        })),
        ...letters,
      ];
      const done = await retrying(
        "writing the predictions",
        async () => {
          const started = performance.now();
          const transaction = await (await connectProducer()).transaction();
          try {
            await send(transaction, records);
            if (offsets.length > 0) {
              await transaction.sendOffsets({
                consumerGroupId: group,
                topics: [{ topic: topics.arrivals, partitions: offsets }],
              });
            }
            await transaction.commit();
          } catch (error) {
            metrics.transactions.inc({ outcome: "aborted" });
            await transaction.abort().catch(() => {});
            // A producer in an unknown state starts again from its initialisation.
            await dropProducer();
            throw error;
          }
          metrics.transactions.inc({ outcome: "committed" });
          metrics.transactionSeconds.observe((performance.now() - started) / 1000);
          return true;
        },
        wanted,
        heartbeat,
      );
      if (!done) return false;
      t.written(changes);
      for (const r of changes) metrics.recordsOut.inc({ topic: r.topic });
      if (letters.length > 0) metrics.deadLetters.inc({ topic: topics.arrivals }, letters.length);
      stats.deadLetters += letters.length;
    }
    metrics.recordsIn.inc({ topic: topics.arrivals }, a.recordsIn);
    a.recordsIn = 0;
    a.letters = [];
    a.offsets.clear();
    stats.platforms = t.boardCount;
    stats.alerts = t.alertCount;
    return true;
  }

  async function send(
    transaction: Transaction,
    records: OutputRecord[],
  ) {
    // One partition per request: see lib/partitioned_send.ts for why.
    const groups = new Map<string, OutputRecord[]>();
    for (const r of records) {
      const key = `${r.topic}\u0000${r.partition}`;
      const list = groups.get(key);
      if (list) list.push(r);
      else groups.set(key, [r]);
    }
    for (const group of groups.values()) {
      const budget = requestBudget(
        group[0].topic === deadLetters.topic ? deadLetterMaxBytes : DEFAULT_MAX_MESSAGE_BYTES,
      );
      for (const chunk of chunkByBytes(group, budget)) {
        await transaction.send({
          topic: chunk[0].topic,
          acks: -1,
          messages: chunk.map((r) => ({
            partition: r.partition,
            key: r.key as string,
            value: r.value as string | null,
            headers: r.headers,
          })),
        });
      }
    }
  }

  async function onBatch(
    partition: number,
    messages: KafkaMessage[],
    lastOffset: string,
    control: { heartbeat: () => Promise<void>; current: () => boolean },
  ): Promise<boolean> {
    const a = activation;
    const t = topology;
    if (!a || !t || !control.current()) return false;
    const wanted = () => activation === a && control.current();
    const from = a.replayFrom.get(partition) ?? 0n;
    const inWindow = messages.filter((m) => BigInt(m.offset) >= from);
    const decoded = await retrying(
      `decoding ${topics.arrivals}`,
      () => decoder.decodeAll(inWindow.map((m) => m.value)),
      wanted,
      control.heartbeat,
    );
    if (!decoded) return false;
    const resumeAt = a.resumeAt.get(partition) ?? 0n;
    const arrivals: ArrivalValue[] = [];
    inWindow.forEach((message, i) => {
      const offset = BigInt(message.offset);
      const live = offset >= resumeAt;
      const value = decoded[i];
      let reason: string | null = null;
      if (value instanceof WireFormatError) reason = value.message;
      else {
        try {
          arrivals.push(ARRIVALS.value.parse(value));
        } catch (error) {
          reason = `not an arrival: ${oneLine(error)}`;
        }
      }
      if (!live) return;
      a.recordsIn++;
      a.offsets.set(partition, offset + 1n);
      if (reason !== null) {
        log.warn(`dead letter at ${topics.arrivals} ${partition}@${offset}: ${reason}`);
        a.letters.push(
          deadLetterRecord({ offset, key: message.key, value: message.value }, reason, {
            deadLetterTopic: deadLetters.topic,
            sourceTopic: topics.arrivals,
            sourcePartition: partition,
            consumerGroup: group,
            maxBytes: deadLetterMaxBytes,
          }),
        );
      }
    });
    const counts = t.apply(arrivals);
    stats.arrivals += counts.applied;
    stats.duplicates += counts.duplicate;
    stats.withoutEventTime += counts.no_event_time;
    stats.tooOld += counts.too_old;
    stats.trains = t.model.trainCount;
    const now = t.model.now;
    stats.watermark = now === null ? null : new Date(now).toISOString();
    a.catchUp.reached(partition, lastOffset);
    if (!a.catchUp.caughtUp) return true;
    if (!a.live) {
      await goLive(a, wanted, control.heartbeat);
      return true;
    }
    return await flush(a, wanted, control.heartbeat);
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    metrics.groupJoins.inc();
    const partitions = [...(payload.memberAssignment[topics.arrivals] ?? [])].sort((x, y) => x - y);
    const join = ++joins;
    exclusive(() => activate(partitions, join)).catch((error) => {
      if (!stopping) fail(error instanceof StageError ? error : new StageError(oneLine(error)));
    });
  });

  const ready = () => stats.role === "standby" || (activation?.live ?? false);
  const running = runStageUntilSignal(
    {
      stats,
      metrics,
      failed,
      ready,
      async stop() {
        stopping = true;
        await Promise.allSettled([consumer.disconnect(), reader.disconnect()]);
        await tail.catch(() => {});
        await dropProducer();
        await admin.disconnect().catch(() => {});
      },
    },
    "predictions",
    { health: config.health },
  );

  try {
    await reader.connect();
    await reader.subscribe({ topic: topics.stations, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ partition, message }) => {
        await exclusive(() => {
          try {
            const changed = lines.apply(
              message.key?.toString() ?? null,
              message.value?.toString() ?? null,
            );
            if (topology) refreshLines(topology, changed);
          } catch (error) {
            stats.unreadableStations++;
            log.warn(
              `skipped ${topics.stations} ${partition}@${message.offset}: ${oneLine(error)}`,
            );
          }
          return Promise.resolve();
        });
        stationsCaughtUp.reached(partition, message.offset);
      },
    });
    await Promise.race([stationsCaughtUp.done, failed]);
    for (const line of LINES) stats.lines[line] = lines.stations(line).source;
    log.info(
      `lines from ${topics.stations}: ` +
        LINES.map((l) => `${l} ${lines.stations(l).stations.length} (${stats.lines[l]})`).join(
          ", ",
        ),
    );

    await consumer.connect();
    await consumer.subscribe({ topic: topics.arrivals, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        metrics.consumerLag.set(
          { topic: batch.topic, partition: String(batch.partition) },
          Number(batch.offsetLag()),
        );
        const current = () => !stopping && isRunning() && !isStale();
        try {
          const done = await exclusive(() =>
            onBatch(batch.partition, batch.messages, batch.lastOffset(), { heartbeat, current })
          );
          if (done) resolveOffset(batch.lastOffset());
        } catch (error) {
          if (error instanceof StageError) {
            if (!stopping) fail(error);
            return;
          }
          throw error; // kafkajs's own (a rebalance, a lost connection): it rejoins or restarts
        }
      },
    });
    log.info(`predicting from ${topics.arrivals} into ${topics.predictions} as group ${group}`);
  } catch (error) {
    fail(new StageError(`connecting to Kafka: ${oneLine(error)}`));
  }
  await running;

  function restarts(name: string, budget: Budget) {
    return consumerRestarts(name, budget, log);
  }

  function watch(c: Consumer, budget: Budget, doing: string) {
    watchConsumer(c, budget, (error) => {
      if (!stopping) fail(new StageError(`${doing}: ${oneLine(error)}`));
    });
  }
}

if (import.meta.main) {
  let options: Options | "help";
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    log.error(`${(error as Error).message}\n\n${HELP}`);
    Deno.exit(2);
  }
  if (options === "help") {
    console.log(HELP);
  } else {
    await main(options).catch((error) => {
      log.error(`failed: ${oneLine(error)}`);
      Deno.exit(1);
    });
  }
}
