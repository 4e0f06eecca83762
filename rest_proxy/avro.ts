/** Pure Avro work: parsing schemas and converting JSON to Avro binary. */
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
