/**
 * Pure parsing and validation of produce requests (Confluent REST Proxy v2, produce side).
 * Nothing here talks to Kafka or the registry.
 */
import {
  keySchemaMissing,
  malformedJson,
  topicNotAuthorized,
  topicNotFound,
  unprocessable,
  unsupportedMediaType,
  valueSchemaMissing,
} from "./errors.ts";

export type EmbeddedFormat = "binary" | "json" | "avro";

/** The only content type of responses, as Confluent's v2 API answers. */
export const V2_RESPONSE_TYPE = "application/vnd.kafka.v2+json";

const FORMAT_BY_CONTENT_TYPE: Record<string, EmbeddedFormat> = {
  "application/vnd.kafka.binary.v2+json": "binary",
  "application/vnd.kafka.json.v2+json": "json",
  "application/vnd.kafka.avro.v2+json": "avro",
};

/**
 * The embedded format named by a Content-Type header. Parameters such as `charset` are
 * ignored; anything else (plain `application/json`, v1 types, none) is 415, as in Confluent v2.
 */
export function embeddedFormat(contentType: string | null | undefined): EmbeddedFormat {
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  const format = FORMAT_BY_CONTENT_TYPE[mediaType];
  if (!format) throw unsupportedMediaType();
  return format;
}

/** A record's key or value: bytes to write, or null for an absent one. */
export type Payload = Uint8Array | null;

export interface ProduceRecord {
  /** Bytes for binary and json; the record's JSON for avro, converted once the schema is known. */
  key: unknown;
  value: unknown;
  partition?: number;
}

export interface ProduceRequest {
  format: EmbeddedFormat;
  records: ProduceRecord[];
  keySchema?: string;
  keySchemaId?: number;
  valueSchema?: string;
  valueSchemaId?: number;
}

const MAX_PARTITION = 2 ** 31 - 1;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const encoder = new TextEncoder();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Decodes padded standard base64, the encoding Confluent's binary format expects. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function binaryPayload(field: unknown, name: string, index: number): Payload {
  if (field === undefined || field === null) return null;
  if (typeof field !== "string") {
    throw unprocessable(`records[${index}].${name} must be a base64 string or null`);
  }
  const bytes = decodeBase64(field);
  if (!bytes) throw unprocessable(`records[${index}].${name} is not valid base64`);
  return bytes;
}

function jsonPayload(field: unknown): Payload {
  if (field === undefined || field === null) return null;
  return encoder.encode(JSON.stringify(field));
}

function partitionOf(field: unknown, index: number): number | undefined {
  if (field === undefined || field === null) return undefined;
  if (typeof field !== "number" || !Number.isInteger(field) || field < 0 || field > MAX_PARTITION) {
    throw unprocessable(`records[${index}].partition must be a non-negative 32-bit integer`);
  }
  return field;
}

function optionalSchema(body: Record<string, unknown>, name: string): string | undefined {
  const field = body[name];
  if (field === undefined || field === null) return undefined;
  if (typeof field !== "string" || field.trim() === "") {
    throw unprocessable(`${name} must be a string holding the schema's JSON`);
  }
  return field;
}

function optionalSchemaId(body: Record<string, unknown>, name: string): number | undefined {
  const field = body[name];
  if (field === undefined || field === null) return undefined;
  if (typeof field !== "number" || !Number.isInteger(field) || field < 0 || field > MAX_PARTITION) {
    throw unprocessable(`${name} must be a non-negative 32-bit integer`);
  }
  return field;
}

/** Parses JSON text, mapping syntax errors to Confluent's 400. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformedJson(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Validates a produce body against the format's rules and returns it with binary and json
 * payloads already turned into bytes. Errors: 400 for malformed JSON, 422 (error_code 422) for
 * a body of the wrong shape, 42201/42202 for avro keys/values without a schema.
 */
export function parseProduceRequest(format: EmbeddedFormat, bodyText: string): ProduceRequest {
  const body = parseJson(bodyText);
  if (!isPlainObject(body)) throw unprocessable("The request body must be a JSON object");
  const rawRecords = body.records;
  if (!Array.isArray(rawRecords) || rawRecords.length === 0) {
    throw unprocessable("records must be a non-empty array");
  }
  const request: ProduceRequest = { format, records: new Array(rawRecords.length) };
  for (let i = 0; i < rawRecords.length; i++) {
    const raw = rawRecords[i];
    if (!isPlainObject(raw)) throw unprocessable(`records[${i}] must be a JSON object`);
    const partition = partitionOf(raw.partition, i);
    const record: ProduceRecord = format === "binary"
      ? { key: binaryPayload(raw.key, "key", i), value: binaryPayload(raw.value, "value", i) }
      : format === "json"
      ? { key: jsonPayload(raw.key), value: jsonPayload(raw.value) }
      : { key: raw.key ?? null, value: raw.value ?? null };
    if (partition !== undefined) record.partition = partition;
    request.records[i] = record;
  }
  if (format === "avro") {
    request.keySchema = optionalSchema(body, "key_schema");
    request.keySchemaId = optionalSchemaId(body, "key_schema_id");
    request.valueSchema = optionalSchema(body, "value_schema");
    request.valueSchemaId = optionalSchemaId(body, "value_schema_id");
    for (const part of ["key", "value"] as const) {
      const schema = part === "key" ? request.keySchema : request.valueSchema;
      const id = part === "key" ? request.keySchemaId : request.valueSchemaId;
      if (schema !== undefined && id !== undefined) {
        throw unprocessable(`${part}_schema and ${part}_schema_id are mutually exclusive`);
      }
      const used = request.records.some((record) => record[part] !== null);
      if (used && schema === undefined && id === undefined) {
        throw part === "key" ? keySchemaMissing() : valueSchemaMissing();
      }
    }
  }
  return request;
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Kafka's rule for topic names; an illegal name cannot exist, so it is reported as not found. */
export function checkTopicName(topic: string): void {
  if (!LEGAL_TOPIC.test(topic) || topic === "." || topic === "..") throw topicNotFound();
}

/** Allow-list entries are exact names or prefixes ending in `*`; no list allows every topic. */
export function isTopicAllowed(topic: string, allowList: readonly string[] | undefined): boolean {
  if (!allowList || allowList.length === 0) return true;
  return allowList.some((entry) =>
    entry.endsWith("*") ? topic.startsWith(entry.slice(0, -1)) : topic === entry
  );
}

export function checkTopicAllowed(topic: string, allowList: readonly string[] | undefined): void {
  if (!isTopicAllowed(topic, allowList)) throw topicNotAuthorized(topic);
}

/** Partitions named in the request must exist (Confluent: 404, error_code 40402). */
export function recordsOutsidePartitions(records: ProduceRecord[], partitions: number): boolean {
  return records.some((record) => record.partition !== undefined && record.partition >= partitions);
}
