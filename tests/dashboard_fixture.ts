/**
 * Shared by the dashboard's integration tests and benchmark: a namespaced set of topics on the
 * real stack, producers for each input, the dashboard as a subprocess, and an SSE client.
 */
import type { Kafka, Producer } from "kafkajs";
import type { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import { parse } from "csv-parse/sync";
import { type Config, loadConfig } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { freePort, pollReady } from "../lib/health.ts";
import { createRegistry, registerTopicSchemas, type TopicSchemaIds } from "../lib/registry.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import type { TopicRole } from "../lib/contracts/topics.ts";
import { endWithin } from "./helpers/stage.ts";
import type { ArrivalKey, ArrivalValue } from "../lib/contracts/arrivals.ts";
import {
  type Direction,
  type Line,
  LINES,
  type TrainStatus,
  type WeatherStatus,
} from "../lib/contracts/enums.ts";
import {
  transformedKey,
  type TransformedStation,
  transformedValue,
} from "../lib/contracts/stations_transformed.ts";
import { summaryKey, summaryValue } from "../lib/contracts/turnstile_summary.ts";
import type { WeatherKey, WeatherValue } from "../lib/contracts/weather.ts";

const ROOT = new URL("../", import.meta.url);
Deno.env.set("KAFKAJS_NO_PARTITIONER_WARNING", "1");

export function testConfig(prefix = "test"): { config: Config; namespace: string } {
  const namespace = `${prefix}-${crypto.randomUUID().slice(0, 8)}.`;
  const env = (name: string) => name === "TOPIC_NAMESPACE" ? namespace : Deno.env.get(name);
  return { config: loadConfig(env), namespace };
}

export class Inputs {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistry;
  readonly #producer: Producer;
  #ids = new Map<string, TopicSchemaIds>();

  constructor(readonly config: Config) {
    this.kafka = createKafka("cta-dashboard-test", config.kafka);
    this.registry = createRegistry(config.registry);
    this.#producer = this.kafka.producer({ allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    await this.#producer.connect();
  }

  async createTopics(roles: TopicRole[]): Promise<void> {
    await ensureTopics(this.kafka, this.config, roles.map((r) => topicSpec(this.config, r, 1)));
    for (const role of roles) {
      if (role === "arrivals" || role === "weather") {
        this.#ids.set(
          role,
          await registerTopicSchemas(this.registry, role, this.config.topics[role]),
        );
      }
    }
  }

  async #avro(role: "arrivals" | "weather", key: unknown, value: unknown) {
    const ids = this.#ids.get(role);
    if (!ids) throw new Error(`create the ${role} topic first`);
    await this.#producer.send({
      topic: this.config.topics[role],
      messages: [{
        key: await this.registry.encode(ids.key, key),
        value: await this.registry.encode(ids.value, value),
      }],
    });
  }

  arrival(a: {
    station_id: number;
    train_id: string;
    direction: Direction;
    line: Line;
    prev_station_id?: number | null;
    prev_direction?: Direction | null;
    train_status?: TrainStatus;
    /** Absent (null) as in records written before arrivals had it. */
    event_time?: number | null;
  }): Promise<void> {
    const key: ArrivalKey = { station_id: a.station_id };
    const value: ArrivalValue = {
      train_status: "in_service",
      prev_station_id: null,
      prev_direction: null,
      ...a,
    };
    return this.#avro("arrivals", key, value);
  }

  weather(timestamp: number, temperature: number, status: WeatherStatus): Promise<void> {
    const key: WeatherKey = { timestamp };
    const value: WeatherValue = { temperature, status };
    return this.#avro("weather", key, value);
  }

  async turnstileSummaries(counts: [stationId: number, count: number][]): Promise<void> {
    await this.#producer.send({
      topic: this.config.topics.turnstileSummary,
      messages: counts.map(([id, count]) => ({
        key: summaryKey(id),
        value: summaryValue(id, count),
      })),
    });
  }

  async stations(rows: TransformedStation[]): Promise<void> {
    await this.#producer.send({
      topic: this.config.topics.stationsTransformed,
      messages: rows.map((r) => ({
        key: transformedKey(r.station_id, r.line),
        value: transformedValue(r),
      })),
    });
  }

  async close(deleteTopics = true): Promise<void> {
    await this.#producer.disconnect();
    if (!deleteTopics) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const mine = (await admin.listTopics()).filter((t) =>
        Object.values(this.config.topics).includes(t)
      );
      if (mine.length) await admin.deleteTopics({ topics: mine });
    } finally {
      await admin.disconnect();
    }
  }
}

/** The Red, Blue and Green line stations of data/stations.csv, one per station and line. */
export function stationsFromCsv() {
  const rows = parse(Deno.readTextFileSync(new URL("data/stations.csv", ROOT)), {
    columns: true,
  }) as Record<string, string>[];
  const seen = new Set<string>();
  const out: TransformedStation[] = [];
  for (const row of rows) {
    for (const line of LINES) {
      if (row[line] !== "TRUE" || seen.has(`${line}:${row.station_id}`)) continue;
      seen.add(`${line}:${row.station_id}`);
      out.push({
        station_id: Number(row.station_id),
        station_name: row.station_name,
        order: Number(row.order),
        line,
      });
    }
  }
  return out;
}

export interface DashboardProcess {
  url: string;
  pid: number;
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * Runs `main.ts` as `deno task serve` would, on the given namespace and on a free port, or on
 * `extraEnv.DASHBOARD_PORT` (to restart a dashboard where its clients look for it).
 */
export async function startDashboard(
  namespace: string,
  extraEnv: Record<string, string> = {},
): Promise<DashboardProcess> {
  const port = Number(extraEnv.DASHBOARD_PORT ?? freePort());
  const child = new Deno.Command("deno", {
    args: ["run", "-P=serve", "main.ts"],
    cwd: ROOT,
    env: {
      TOPIC_NAMESPACE: namespace,
      DASHBOARD_PORT: String(port),
      KAFKAJS_NO_PARTITIONER_WARNING: "1",
      ...extraEnv,
    },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let ended = false;
  child.status.then(() => (ended = true));
  // Drain stdout so the child never blocks on a full pipe; its last lines go into errors.
  let said = "";
  (async () => {
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      said = (said + text).slice(-20_000);
    }
  })().catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  if (!(await pollReady(url, 60_000, () => !ended, "/healthz"))) {
    if (!ended) child.kill("SIGTERM");
    throw new Error(
      `the dashboard did not answer /healthz${ended ? " (it exited)" : ""}:\n${said}`,
    );
  }
  return {
    url,
    pid: child.pid,
    stop() {
      child.kill("SIGTERM");
      const late = () => "the dashboard still ran 30 s after SIGTERM";
      return endWithin(child.status, child, 30_000, late, () => said);
    },
  };
}

export interface ReceivedEvent {
  event: string;
  id?: string;
  data: unknown;
  receivedAt: number;
}

/** A minimal EventSource over fetch, so a test can set Last-Event-ID and read every event. */
export class SseClient {
  readonly events: ReceivedEvent[] = [];
  readonly #abort = new AbortController();
  #waiters: (() => void)[] = [];
  readonly done: Promise<void>;
  #reader?: ReadableStreamDefaultReader<string>;
  status = 0;

  constructor(url: string, lastEventId?: string, private readonly keep = true) {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (lastEventId) headers["Last-Event-ID"] = lastEventId;
    this.done = this.#run(url, headers).catch(() => {});
  }

  /** Called for every event; the events list is kept only when `keep` is set. */
  onEvent: (event: ReceivedEvent) => void = () => {};

  async #run(url: string, headers: Record<string, string>) {
    const res = await fetch(url, { headers, signal: this.#abort.signal });
    this.status = res.status;
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      this.#wake();
      return;
    }
    let buffer = "";
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    this.#reader = reader;
    while (true) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split("\n")) {
          const colon = line.indexOf(": ");
          if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 2);
        }
        if (!fields.event) continue;
        const event = {
          event: fields.event,
          id: fields.id,
          data: JSON.parse(fields.data),
          receivedAt: performance.now(),
        };
        if (this.keep) this.events.push(event);
        this.onEvent(event);
      }
      this.#wake();
    }
  }

  #wake() {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  get lastId(): string | undefined {
    return this.events.findLast((e) => e.id !== undefined)?.id;
  }

  /** Resolves with the first kept event matching, or rejects after `timeoutMs`. */
  async waitFor(
    match: (e: ReceivedEvent) => boolean,
    timeoutMs = 30_000,
    what = "event",
  ): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.#abort.abort();
    // Aborting the fetch alone can leave a read of the piped body pending: cancel it too.
    await this.#reader?.cancel().catch(() => {});
    await this.done;
  }
}

/** True when a delta event carries a change matching `match`. */
export function deltaWith(match: (change: Record<string, unknown>) => boolean) {
  return (e: ReceivedEvent) =>
    e.event === "delta" &&
    (e.data as { changes: Record<string, unknown>[] }).changes.some(match);
}
