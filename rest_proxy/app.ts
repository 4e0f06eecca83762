/**
 * The HTTP side of the REST proxy: the produce part of Confluent's REST Proxy API v2.
 *   GET  /topics           topic names
 *   GET  /topics/{topic}   {name, configs, partitions}
 *   POST /topics/{topic}   produce records (binary, json or avro v2 content types)
 */
import { type Context, Hono } from "hono";
import { Admission } from "./admission.ts";
import { readBodyText } from "./body.ts";
import {
  methodNotAllowed,
  notFound,
  partitionNotFound,
  RestError,
  topicNotFound,
} from "./errors.ts";
import type { TopicSink } from "./kafka_sink.ts";
import { encodeRequest } from "./produce.ts";
import {
  checkTopicAllowed,
  checkTopicName,
  embeddedFormat,
  isTopicAllowed,
  parseProduceRequest,
  recordsOutsidePartitions,
  V2_RESPONSE_TYPE,
} from "./requests.ts";
import type { SchemaSource } from "./schema_store.ts";
import { logger } from "../lib/log.ts";

const proxyLog = logger("rest-proxy");

export interface ProxySettings {
  maxBodyBytes: number;
  /** Exact names or `prefix*`; undefined allows every topic. */
  topicAllowList?: string[];
  autoCreateTopics: boolean;
  /** Requests waiting for Kafka or the registry at once; more are refused with 503. */
  maxPendingRequests: number;
}

export interface ProxyDependencies {
  sink: TopicSink;
  schemas: SchemaSource;
  settings: ProxySettings;
}

function v2Json(c: Context, body: unknown, status: 200 | RestError["status"] = 200): Response {
  return c.body(JSON.stringify(body), status, { "Content-Type": V2_RESPONSE_TYPE });
}

export function createApp({ sink, schemas, settings }: ProxyDependencies): Hono {
  const app = new Hono();
  // Requests are admitted once they are valid, just before they wait for Kafka or the registry.
  const admission = new Admission(settings.maxPendingRequests);

  app.get("/topics", (c) =>
    admission.run(async () => {
      const topics = await sink.listTopics();
      return v2Json(c, topics.filter((t) => isTopicAllowed(t, settings.topicAllowList)));
    }));

  app.get("/topics/:topic", async (c) => {
    const topic = c.req.param("topic");
    checkTopicName(topic);
    checkTopicAllowed(topic, settings.topicAllowList);
    return await admission.run(async () => {
      const partitions = await sink.partitions(topic);
      if (!partitions) throw topicNotFound();
      return v2Json(c, { name: topic, configs: {}, partitions });
    });
  });

  app.post("/topics/:topic", async (c) => {
    const topic = c.req.param("topic");
    const format = embeddedFormat(c.req.header("content-type"));
    checkTopicName(topic);
    checkTopicAllowed(topic, settings.topicAllowList);
    const text = await readBodyText(c.req.raw, settings.maxBodyBytes);
    const request = parseProduceRequest(format, text);
    return await admission.run(async () => {
      let partitions = await sink.partitions(topic);
      if (!partitions && settings.autoCreateTopics) {
        await sink.createTopic(topic);
        partitions = await sink.partitions(topic);
      }
      if (!partitions) throw topicNotFound();
      if (recordsOutsidePartitions(request.records, partitions.length)) throw partitionNotFound();
      const encoded = await encodeRequest(topic, request, schemas);
      const offsets = await sink.send(topic, encoded.records);
      return v2Json(c, {
        key_schema_id: encoded.keySchemaId,
        value_schema_id: encoded.valueSchemaId,
        offsets,
      });
    });
  });

  app.all("/topics", () => {
    throw methodNotAllowed();
  });
  app.all("/topics/:topic", () => {
    throw methodNotAllowed();
  });
  app.notFound((c) => v2Json(c, notFound().body(), 404));

  app.onError((error, c) => {
    if (error instanceof RestError) return v2Json(c, error.body(), error.status);
    const stack = error instanceof Error ? error.stack : undefined;
    proxyLog.error(`unexpected error on ${c.req.method} ${c.req.path}`, { error, stack });
    return v2Json(c, { error_code: 50001, message: "Internal server error" }, 500);
  });

  return app;
}
