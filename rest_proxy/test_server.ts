/**
 * Test support: the proxy served in-process on a free port against the configured Kafka and
 * registry, and a bounded reader of a topic. Used by tests/rest_proxy*_test.ts.
 */
import type { KafkaMessage } from "kafkajs";
import type { Config } from "../lib/config.ts";
import { createKafka } from "../lib/kafka.ts";
import { createApp, type ProxySettings } from "./app.ts";
import { KafkaTopicSink, type KafkaTopicSinkOptions } from "./kafka_sink.ts";
import { RegistrySchemaStore } from "./schema_store.ts";
import { DEFAULT_MAX_PENDING_REQUESTS } from "./settings.ts";

export interface RunningProxy {
  url: string;
  close(): Promise<void>;
}

export async function startProxy(
  config: Config,
  settings: Partial<ProxySettings> = {},
  sinkOptions: KafkaTopicSinkOptions = {},
): Promise<RunningProxy> {
  const sink = await KafkaTopicSink.connect(config, sinkOptions);
  const app = createApp({
    sink,
    schemas: new RegistrySchemaStore(config.registry),
    settings: {
      maxBodyBytes: 1024 * 1024,
      autoCreateTopics: false,
      maxPendingRequests: DEFAULT_MAX_PENDING_REQUESTS,
      ...settings,
    },
  });
  const { promise: listening, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => resolve(port) },
    app.fetch,
  );
  const port = await listening;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.shutdown();
      await sink.close();
    },
  };
}

/** Reads a topic from the beginning until `count` records arrived, or fails after `boundMs`. */
export async function readRecords(
  config: Config,
  topic: string,
  count: number,
  boundMs = 30_000,
): Promise<KafkaMessage[]> {
  const kafka = createKafka("rest-proxy-test-reader", config.kafka);
  const consumer = kafka.consumer({ groupId: `rest-proxy-test-${crypto.randomUUID()}` });
  const records: KafkaMessage[] = [];
  const { promise: done, resolve } = Promise.withResolvers<void>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        records.push(message);
        if (records.length >= count) resolve();
        return Promise.resolve();
      },
    });
    const timer = setTimeout(resolve, boundMs);
    await done;
    clearTimeout(timer);
  } finally {
    await consumer.disconnect();
  }
  return records;
}
