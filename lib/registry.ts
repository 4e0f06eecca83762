/** The Schema Registry client, and registration of the contracts' Avro schemas. */
import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import type { RegistryConfig } from "./config.ts";
import { AVRO_CONTRACTS, type AvroRole, subject } from "./contracts/topics.ts";

/** `Authorization` for basic auth with `user:password` (UTF-8). */
export function basicAuthorization(userInfo: string): string {
  return `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(userInfo)))}`;
}

export function createRegistry(config: RegistryConfig): SchemaRegistry {
  // The client's own `auth` option relies on node:http's `auth`, which Deno does not send;
  // an explicit header works everywhere.
  const authorization = config.basicAuth ? basicAuthorization(config.basicAuth) : undefined;
  const middlewares = authorization
    ? [() => ({
      request: (request: { enhance: (changes: object) => unknown }) =>
        request.enhance({ headers: { authorization } }),
    })]
    : [];
  // deno-lint-ignore no-explicit-any
  return new SchemaRegistry({ host: config.url, middlewares: middlewares as any });
}

export interface TopicSchemaIds {
  key: number;
  value: number;
}

/**
 * Registers (idempotently) the key and value schemas of a topic role under the subjects of
 * `topic`, and returns their ids.
 */
export async function registerTopicSchemas(
  registry: SchemaRegistry,
  role: AvroRole,
  topic: string,
): Promise<TopicSchemaIds> {
  const contract = AVRO_CONTRACTS[role];
  const [key, value] = await Promise.all(
    (["key", "value"] as const).map(async (part) => {
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: contract[part].schema.text },
        { subject: subject(topic, part) },
      );
      return id;
    }),
  );
  return { key, value };
}
