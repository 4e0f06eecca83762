/**
 * The REST proxy service: `deno task rest-proxy`. Binds REST_PROXY_HOST:REST_PROXY_PORT
 * (127.0.0.1:8082), writes to KAFKA_BOOTSTRAP_SERVERS, registers schemas at SCHEMA_REGISTRY_URL.
 */
import { loadConfig } from "../lib/config.ts";
import { createApp } from "./app.ts";
import { KafkaTopicSink } from "./kafka_sink.ts";
import { RegistrySchemaStore } from "./schema_store.ts";
import { proxySettings } from "./settings.ts";

// A stray rejection inside the Kafka client must not take the service down with it.
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  console.error("[rest-proxy] unhandled rejection:", event.reason);
});

const config = loadConfig();
const settings = proxySettings(config);

const sink = await KafkaTopicSink.connect(config).catch((error) => {
  console.error(
    `[rest-proxy] cannot connect to Kafka at ${config.kafka.brokers.join(",")}:`,
    error,
  );
  Deno.exit(1);
});
const app = createApp({ sink, schemas: new RegistrySchemaStore(config.registry), settings });

const server = Deno.serve({
  hostname: config.restProxy.host,
  port: config.restProxy.port,
  onListen: ({ hostname, port }) => {
    console.log(
      `[rest-proxy] listening on http://${hostname}:${port} (Kafka ${
        config.kafka.brokers.join(",")
      }, registry ${config.registry.url}, ${JSON.stringify(settings)})`,
    );
  },
}, app.fetch);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`[rest-proxy] ${signal}: no new requests, flushing the producer`);
  await server.shutdown();
  await sink.close();
  console.log("[rest-proxy] stopped");
  Deno.exit(0);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void shutdown(signal));
}
