/**
 * The REST proxy service: `deno task rest-proxy`. Binds REST_PROXY_HOST:REST_PROXY_PORT
 * (127.0.0.1:8082), writes to KAFKA_BOOTSTRAP_SERVERS, registers schemas at SCHEMA_REGISTRY_URL,
 * and answers /healthz, /readyz and /metrics on HEALTH_HOST:HEALTH_PORT.
 */
import { loadConfig } from "../lib/config.ts";
import { runStageUntilSignal } from "../lib/lifecycle.ts";
import { stageLogger } from "../lib/log.ts";
import { StageMetrics } from "../lib/metrics.ts";
import { createApp } from "./app.ts";
import { KafkaTopicSink, type TopicSink } from "./kafka_sink.ts";
import { RegistrySchemaStore } from "./schema_store.ts";
import { proxySettings } from "./settings.ts";

const log = stageLogger("rest-proxy");

// A stray rejection inside the Kafka client must not take the service down with it.
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  log.error("unhandled rejection", { error: event.reason });
});

const config = loadConfig();
const settings = proxySettings(config);

const sink = await KafkaTopicSink.connect(config).catch((error) => {
  log.error(`cannot connect to Kafka at ${config.kafka.brokers.join(",")}`, { error });
  Deno.exit(1);
});
const metrics = new StageMetrics("rest-proxy");
/** The sink, counting the records Kafka acknowledged. */
const countedSink: TopicSink = {
  listTopics: () => sink.listTopics(),
  partitions: (topic) => sink.partitions(topic),
  createTopic: (topic) => sink.createTopic(topic),
  async send(topic, records) {
    const offsets = await sink.send(topic, records);
    const written = offsets.filter((o) => o.error === null).length;
    if (written > 0) metrics.recordsOut.inc({ topic }, written);
    return offsets;
  },
  close: () => sink.close(),
};
const app = createApp({
  sink: countedSink,
  schemas: new RegistrySchemaStore(config.registry),
  settings,
});

const server = Deno.serve({
  hostname: config.restProxy.host,
  port: config.restProxy.port,
  onListen: ({ hostname, port }) => {
    log.info(
      `listening on http://${hostname}:${port} (Kafka ${
        config.kafka.brokers.join(",")
      }, registry ${config.registry.url}, ${JSON.stringify(settings)})`,
    );
  },
}, app.fetch);

let stopping = false;
// Signals, the health endpoint and /metrics as every stage has them.
await runStageUntilSignal(
  {
    stats: {},
    metrics,
    // A broken connection is retried by the sink; the service itself does not fail.
    failed: new Promise<Error>(() => {}),
    ready: () => !stopping,
    async stop() {
      stopping = true;
      log.info("no new requests, flushing the producer");
      await server.shutdown();
      await sink.close();
    },
  },
  "rest-proxy",
  { health: config.health },
);
