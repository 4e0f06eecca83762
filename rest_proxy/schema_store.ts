/**
 * Registration and lookup of Avro schemas in the registry's Confluent-compatible API, with
 * caches so that a steady producer does not hit the registry on every request.
 */
import type { RegistryConfig } from "../lib/config.ts";
import { invalidSchema, registryUnavailable, schemaIncompatible } from "./errors.ts";

export interface SchemaSource {
  /** Registers (idempotently) a schema under a subject and returns its id. */
  register(subject: string, schemaText: string): Promise<number>;
  /** The schema text of an id; 42205 if the registry does not know it or it is not Avro. */
  schemaById(id: number): Promise<string>;
}

const REGISTRY_TYPE = "application/vnd.schemaregistry.v1+json";
const MAX_CACHED = 1024;

/** Headers of every registry call, with basic auth when `basicAuth` (`user:password`) is set. */
export function registryHeaders(config: RegistryConfig): Record<string, string> {
  const headers: Record<string, string> = { "Content-Type": REGISTRY_TYPE, Accept: REGISTRY_TYPE };
  if (config.basicAuth) {
    const bytes = new TextEncoder().encode(config.basicAuth);
    headers.Authorization = `Basic ${btoa(String.fromCharCode(...bytes))}`;
  }
  return headers;
}

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

export class RegistrySchemaStore implements SchemaSource {
  readonly #baseUrl: string;
  readonly #headers: HeadersInit;
  readonly #idsBySubjectAndSchema = new Map<string, number>();
  readonly #schemasById = new Map<number, string>();

  constructor(config: RegistryConfig) {
    this.#baseUrl = config.url.replace(/\/+$/, "");
    this.#headers = registryHeaders(config);
  }

  async register(subject: string, schemaText: string): Promise<number> {
    const cacheKey = `${subject}\u0000${schemaText}`;
    const cached = this.#idsBySubjectAndSchema.get(cacheKey);
    if (cached !== undefined) return cached;
    const answer = await this.#call(`/subjects/${encodeURIComponent(subject)}/versions`, {
      method: "POST",
      body: JSON.stringify({ schema: schemaText }),
    });
    if (answer.status === 409) throw schemaIncompatible(answer.message);
    if (!answer.ok) throw invalidSchema(answer.message);
    const id = (answer.json as { id?: unknown }).id;
    if (typeof id !== "number") throw registryUnavailable("registration answered without an id");
    remember(this.#schemasById, id, schemaText);
    return remember(this.#idsBySubjectAndSchema, cacheKey, id);
  }

  async schemaById(id: number): Promise<string> {
    const cached = this.#schemasById.get(id);
    if (cached !== undefined) return cached;
    const answer = await this.#call(`/schemas/ids/${id}`, { method: "GET" });
    if (!answer.ok) throw invalidSchema(`schema id ${id}: ${answer.message}`);
    const { schema, schemaType } = answer.json as { schema?: unknown; schemaType?: unknown };
    if (typeof schema !== "string") throw invalidSchema(`schema id ${id} has no schema`);
    if (schemaType !== undefined && schemaType !== "AVRO") {
      throw invalidSchema(`schema id ${id} is ${schemaType}, not AVRO`);
    }
    return remember(this.#schemasById, id, schema);
  }

  /** One registry call. 5xx and network failures are 503; 4xx come back to the caller. */
  async #call(
    path: string,
    init: RequestInit,
  ): Promise<{ ok: boolean; status: number; json: unknown; message: string }> {
    let response: Response;
    try {
      response = await fetch(this.#baseUrl + path, {
        ...init,
        headers: this.#headers,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw registryUnavailable(error instanceof Error ? error.message : String(error));
    }
    const text = await response.text();
    if (response.status >= 500 || response.status === 401 || response.status === 403) {
      throw registryUnavailable(`HTTP ${response.status} ${text.slice(0, 200)}`);
    }
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      if (response.ok) throw registryUnavailable("the registry answered with invalid JSON");
    }
    const message = typeof (json as { message?: unknown })?.message === "string"
      ? (json as { message: string }).message
      : `HTTP ${response.status}`;
    return { ok: response.ok, status: response.status, json, message };
  }
}
