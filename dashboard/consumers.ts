/**
 * The Kafka side of the dashboard: one consumer per input topic, each in a group of its own for
 * this server process, reading from the beginning and then following. A topic that does not
 * exist yet is waited for by polling the topic list. Until a topic has been read up to the end
 * it had when its consumer started (and until the first look at the topic list), the live state
 * is marked as replaying.
 */
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import type { Config } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { logger } from "../lib/log.ts";
import { CatchUp } from "../lib/read_to_end.ts";
import { createRegistry } from "../lib/registry.ts";
import type { LiveState } from "./live_state.ts";
import type { Change } from "./state.ts";
import {
  alertChanges,
  arrivalChanges,
  parseJson,
  predictionChanges,
  stationChanges,
  turnstileChanges,
  weatherChanges,
} from "./records.ts";

export const INPUT_ROLES = [
  "stationsTransformed",
  "arrivals",
  "turnstileSummary",
  "weather",
  "predictions",
  "alerts",
] as const;
export type InputRole = typeof INPUT_ROLES[number];

type Decoder = (message: KafkaMessage, registry: SchemaRegistry) => Promise<Change[]>;

function jsonKey(message: KafkaMessage): unknown {
  try {
    return parseJson(message.key);
  } catch {
    return null;
  }
}

const log = logger("dashboard");

const DECODERS: Record<InputRole, Decoder> = {
  stationsTransformed: (m) => Promise.resolve(stationChanges(jsonKey(m), parseJson(m.value))),
  arrivals: async (m, registry) => arrivalChanges(await registry.decode(m.value!)),
  turnstileSummary: (m) => Promise.resolve(turnstileChanges(jsonKey(m), parseJson(m.value))),
  weather: async (m, registry) =>
    weatherChanges(await registry.decode(m.key!), await registry.decode(m.value!)),
  predictions: (m) => Promise.resolve(predictionChanges(jsonKey(m), parseJson(m.value))),
  alerts: (m) => Promise.resolve(alertChanges(jsonKey(m), parseJson(m.value))),
};

export interface FollowerHealth {
  role: InputRole;
  topic: string;
  status: "waiting" | "starting" | "subscribed" | "crashed";
  connected: boolean;
  /** Read up to the end the topic had when the consumer started. */
  caughtUp: boolean;
  records: number;
  undecodable: number;
  lag: number | null;
}

export interface DashboardHealth {
  ok: boolean;
  kafkaError: string | null;
  subscribedTopics: string[];
  waitingTopics: string[];
  consumers: FollowerHealth[];
}

/** The replay of the topic list itself: nothing is known until it has been read once. */
export const DISCOVERY = "topic list";

interface Follower {
  role: InputRole;
  topic: string;
  status: FollowerHealth["status"];
  connected: boolean;
  caughtUp: boolean;
  consumer?: Consumer;
  records: number;
  undecodable: number;
  /** Next offset to read, by partition. */
  positions: Map<number, number>;
}

export class TopicFollowers {
  readonly #kafka: Kafka;
  readonly #registry: SchemaRegistry;
  readonly #followers: Follower[];
  readonly #groupPrefix = `cta-dashboard-${crypto.randomUUID().slice(0, 8)}`;
  readonly #loggedKinds = new Set<string>();
  #admin: ReturnType<Kafka["admin"]> | null = null;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #adminError: string | null = null;

  constructor(config: Config, private readonly live: LiveState, private readonly pollMs = 3000) {
    this.#kafka = createKafka("cta-dashboard", config.kafka);
    this.#registry = createRegistry(config.registry);
    this.#followers = INPUT_ROLES.map((role) => ({
      role,
      topic: config.topics[role],
      status: "waiting",
      connected: false,
      caughtUp: false,
      records: 0,
      undecodable: 0,
      positions: new Map(),
    }));
  }

  /** Starts polling for the topics; returns at once, whether Kafka is reachable or not. */
  start(): void {
    this.live.startReplay(DISCOVERY);
    const poll = async () => {
      await this.#subscribeToNewTopics();
      // Also when Kafka is not reachable: there is then nothing to wait for.
      this.live.endReplay(DISCOVERY);
      if (!this.#stopped) this.#pollTimer = setTimeout(poll, this.pollMs);
    };
    void poll();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#pollTimer);
    await Promise.allSettled(this.#followers.map((f) => f.consumer?.disconnect()));
    await this.#admin?.disconnect().catch(() => {});
  }

  async health(): Promise<DashboardHealth> {
    const consumers = await Promise.all(this.#followers.map(async (f) => ({
      role: f.role,
      topic: f.topic,
      status: f.status,
      connected: f.connected,
      caughtUp: f.caughtUp,
      records: f.records,
      undecodable: f.undecodable,
      lag: f.status === "subscribed" ? await this.#lag(f).catch(() => null) : null,
    })));
    const ok = this.#adminError === null && consumers.every((c) => c.status !== "crashed");
    const topicsWith = (status: FollowerHealth["status"]) =>
      consumers.filter((c) => c.status === status).map((c) => c.topic);
    return {
      ok,
      kafkaError: this.#adminError,
      subscribedTopics: topicsWith("subscribed"),
      waitingTopics: topicsWith("waiting"),
      consumers,
    };
  }

  async #lag(follower: Follower): Promise<number> {
    const admin = await this.#connectedAdmin();
    const offsets = await admin.fetchTopicOffsets(follower.topic);
    return offsets.reduce((sum, p) => {
      const position = follower.positions.get(p.partition) ?? Number(p.low);
      return sum + Math.max(0, Number(p.high) - position);
    }, 0);
  }

  async #connectedAdmin() {
    if (!this.#admin) {
      const admin = this.#kafka.admin();
      await admin.connect();
      this.#admin = admin;
    }
    return this.#admin;
  }

  async #subscribeToNewTopics(): Promise<void> {
    if (!this.#followers.some((f) => f.status === "waiting")) return;
    let existing: Set<string>;
    try {
      existing = new Set(await (await this.#connectedAdmin()).listTopics());
      this.#adminError = null;
    } catch (error) {
      const message = String(error);
      if (this.#adminError !== message) log.warn(`Kafka not reachable: ${message}`);
      this.#adminError = message;
      await this.#admin?.disconnect().catch(() => {});
      this.#admin = null;
      return;
    }
    const ready = this.#followers.filter((f) => f.status === "waiting" && existing.has(f.topic));
    await Promise.all(ready.map((f) => this.#follow(f)));
  }

  async #follow(follower: Follower): Promise<void> {
    follower.status = "starting";
    this.live.startReplay(follower.topic);
    const consumer = this.#kafka.consumer({
      groupId: `${this.#groupPrefix}-${follower.role}`,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    follower.consumer = consumer;
    consumer.on(consumer.events.CONNECT, () => follower.connected = true);
    consumer.on(consumer.events.DISCONNECT, () => follower.connected = false);
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        follower.status = "crashed";
        this.live.endReplay(follower.topic);
      }
      log.warn(`consumer of ${follower.topic} crashed: ${event.payload.error}`);
    });
    // Batches of transaction markers or aborted records deliver no message but still move on.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const next = Number(payload.lastOffset) + 1;
      const position = follower.positions.get(payload.partition) ?? 0;
      if (next > position) follower.positions.set(payload.partition, next);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [follower.topic], fromBeginning: true });
      const started = performance.now();
      const catchUp = new CatchUp(await this.#endOffsets(follower.topic));
      catchUp.follow(consumer);
      void catchUp.done.then(() => {
        if (this.#stopped || follower.consumer !== consumer) return;
        follower.caughtUp = true;
        this.live.endReplay(follower.topic);
        if (follower.records === 0) return;
        const ms = Math.round(performance.now() - started);
        log.info(`replayed ${follower.topic} (${follower.records} records, ${ms} ms)`);
      });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          follower.positions.set(partition, Number(message.offset) + 1);
          follower.records++;
          let changes: Change[];
          try {
            changes = await DECODERS[follower.role](message, this.#registry);
          } catch (error) {
            follower.undecodable++;
            this.#logOnce(follower, error);
            return;
          }
          this.live.apply(changes, Number(message.timestamp) || Date.now());
        },
      });
      follower.status = "subscribed";
      log.info(`following ${follower.topic}`);
    } catch (error) {
      log.warn(`cannot follow ${follower.topic} yet: ${error}`);
      follower.status = "waiting";
      follower.consumer = undefined;
      this.live.endReplay(follower.topic);
      await consumer.disconnect().catch(() => {});
    }
  }

  /** The end offset of each partition, as a read_committed reader sees it (the stable offset). */
  async #endOffsets(topic: string): Promise<Map<number, bigint>> {
    const offsets = await (await this.#connectedAdmin()).fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  }

  #logOnce(follower: Follower, error: unknown): void {
    const name = error instanceof Error ? error.name : typeof error;
    const kind = `${follower.role}:${name}`;
    if (this.#loggedKinds.has(kind)) return;
    this.#loggedKinds.add(kind);
    log.warn(
      `skipping undecodable records of ${follower.topic} (${name}: ${error}); ` +
        "further ones of this kind are only counted",
    );
  }
}
