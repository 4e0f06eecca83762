/** Pure Avro work: parsing schemas, converting JSON to Avro binary, the Confluent wire format. */
import avro from "avsc";
import { invalidSchema, jsonAvroConversion } from "./errors.ts";

export type AvroType = avro.Type;

const parsed = new Map<string, AvroType>();
const MAX_PARSED_SCHEMAS = 256;

/** Parses a schema given as JSON text (Confluent's `key_schema`/`value_schema`); 42205 if bad. */
export function parseAvroSchema(schemaText: string): AvroType {
  const cached = parsed.get(schemaText);
  if (cached) return cached;
  let type: AvroType;
  try {
    type = avro.Type.forSchema(JSON.parse(schemaText));
  } catch (error) {
    throw invalidSchema(error instanceof Error ? error.message : String(error));
  }
  // Bounded: arbitrary clients send arbitrary schemas.
  if (parsed.size >= MAX_PARSED_SCHEMAS) parsed.delete(parsed.keys().next().value!);
  parsed.set(schemaText, type);
  return type;
}

/**
 * Converts a record's key or value, given in Avro's JSON encoding (unions wrapped as
 * `{"int": 1}`, as Confluent's proxy expects), to Avro binary; 42203 if it does not fit.
 */
export function encodeAvro(type: AvroType, json: unknown): Uint8Array {
  try {
    return type.toBuffer(type.fromString(JSON.stringify(json)));
  } catch (error) {
    throw jsonAvroConversion(error instanceof Error ? error.message : String(error));
  }
}

/** Confluent's wire format: magic byte 0, the schema id as a 4-byte big-endian int, the body. */
export function frameWithSchemaId(schemaId: number, body: Uint8Array): Uint8Array {
  const framed = new Uint8Array(5 + body.length);
  new DataView(framed.buffer).setUint32(1, schemaId);
  framed.set(body, 5);
  return framed;
}
