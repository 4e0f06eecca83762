/** The Schema Registry client, and registration of the contracts' Avro schemas. */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
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
 * A schema change must let readers of the new schema read records written with the old one (a new
 * field needs a default). Apicurio's default is NONE, which would accept any change.
 */
export const SUBJECT_COMPATIBILITY = COMPATIBILITY.BACKWARD;

interface SubjectApi {
  api: {
    Subject: {
      updateConfig(request: { subject: string; body: { compatibility: string } }): Promise<unknown>;
    };
  };
}

/**
 * Sets the subject's compatibility (`PUT /config/<subject>`), before its first schema too. The
 * client's own request is used so that its authentication and retries apply; it only sets the
 * level after a subject's first registration, and refuses a subject another client created.
 */
export async function setSubjectCompatibility(
  registry: SchemaRegistry,
  subjectName: string,
  compatibility: COMPATIBILITY = SUBJECT_COMPATIBILITY,
): Promise<void> {
  await (registry as unknown as SubjectApi).api.Subject.updateConfig({
    subject: subjectName,
    body: { compatibility },
  });
}

/**
 * Registers (idempotently) the key and value schemas of a topic role under the subjects of
 * `topic`, with BACKWARD compatibility set first, and returns their ids. A schema that is not
 * backward compatible with the subject's latest is refused (409).
 */
export async function registerTopicSchemas(
  registry: SchemaRegistry,
  role: AvroRole,
  topic: string,
): Promise<TopicSchemaIds> {
  const contract = AVRO_CONTRACTS[role];
  const [key, value] = await Promise.all(
    (["key", "value"] as const).map(async (part) => {
      await setSubjectCompatibility(registry, subject(topic, part));
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: contract[part].schema.text },
        { subject: subject(topic, part), compatibility: SUBJECT_COMPATIBILITY },
      );
      return id;
    }),
  );
  return { key, value };
}
