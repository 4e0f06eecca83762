/** Turns a validated produce request into the bytes to write, with schema ids for avro. */
import { encodeAvro, parseAvroSchema } from "./avro.ts";
import type { OutgoingRecord } from "./kafka_sink.ts";
import type { Payload, ProduceRequest } from "./requests.ts";
import type { SchemaSource } from "./schema_store.ts";
import { subject } from "../lib/contracts/topics.ts";
import { frame as frameAvro } from "../lib/contracts/wire_format.ts";

export interface EncodedRequest {
  records: OutgoingRecord[];
  keySchemaId: number | null;
  valueSchemaId: number | null;
}

type Part = "key" | "value";

/**
 * For avro, values are converted before anything is registered, so a request that fails
 * validation leaves no schema behind. Schemas go under `<topic>-key` / `<topic>-value`.
 */
export async function encodeRequest(
  topic: string,
  request: ProduceRequest,
  schemas: SchemaSource,
): Promise<EncodedRequest> {
  if (request.format !== "avro") {
    return {
      records: request.records.map((r) => ({
        key: r.key as Payload,
        value: r.value as Payload,
        partition: r.partition,
      })),
      keySchemaId: null,
      valueSchemaId: null,
    };
  }
  const encodePart = async (part: Part) => {
    const schemaText = part === "key" ? request.keySchema : request.valueSchema;
    const knownId = part === "key" ? request.keySchemaId : request.valueSchemaId;
    if (schemaText === undefined && knownId === undefined) {
      return { schemaText, knownId, bodies: request.records.map(() => null) };
    }
    const type = parseAvroSchema(schemaText ?? await schemas.schemaById(knownId!));
    const bodies = request.records.map((r) => r[part] === null ? null : encodeAvro(type, r[part]));
    return { schemaText, knownId, bodies };
  };
  const encoded = { key: await encodePart("key"), value: await encodePart("value") };
  const idOf = async (part: Part): Promise<number | null> => {
    const { schemaText, knownId } = encoded[part];
    if (knownId !== undefined) return knownId;
    return schemaText === undefined
      ? null
      : await schemas.register(subject(topic, part), schemaText);
  };
  const key = { id: await idOf("key"), bodies: encoded.key.bodies };
  const value = { id: await idOf("value"), bodies: encoded.value.bodies };
  const frame = (id: number | null, body: Uint8Array | null): Payload =>
    body === null || id === null ? null : frameAvro(id, body);
  return {
    records: request.records.map((r, i) => ({
      key: frame(key.id, key.bodies[i]),
      value: frame(value.id, value.bodies[i]),
      partition: r.partition,
    })),
    keySchemaId: key.id,
    valueSchemaId: value.id,
  };
}
