/**
 * What a topic contract holds: the topic's name, whether it is compacted, and for its key and
 * its value the format, the serializer and the parser. Avro parts also carry their schema from
 * schemas/, as it is registered under the topic-name strategy (`<topic>-key`, `<topic>-value`).
 */
import avro from "avsc";
import type { Buffer } from "node:buffer";
import { frame } from "./wire_format.ts";

/** A key or value in JSON text. Tombstones (no value) never reach `parse`. */
export interface JsonPart<T> {
  format: "json";
  serialize(value: T): string;
  /** Checks decoded JSON; throws RecordShapeError. */
  parse(json: unknown): T;
}

export interface AvroSchema {
  /** The text of the file under schemas/: what is registered, and what the REST proxy is sent. */
  text: string;
  type: avro.Type;
}

/** A key or value in Avro, in the Confluent wire format. */
export interface AvroPart<T> {
  format: "avro";
  schema: AvroSchema;
  /** The serializer for the schema's registered id. */
  encoder(schemaId: number): (value: T) => Buffer;
  /** Checks a value decoded from the wire format (see AvroDecoder); throws RecordShapeError. */
  parse(decoded: unknown): T;
}

export type Part<T> = JsonPart<T> | AvroPart<T>;

export interface TopicContract<K, V> {
  /** The topic's name outside any namespace. */
  name: string;
  /** The latest value per key is the state: the topic is created compacted. */
  compacted: boolean;
  key: Part<K>;
  value: Part<V>;
}

export interface JsonTopicContract<K, V> extends TopicContract<K, V> {
  key: JsonPart<K>;
  value: JsonPart<V>;
}

export interface AvroTopicContract<K, V> extends TopicContract<K, V> {
  key: AvroPart<K>;
  value: AvroPart<V>;
}

export function jsonPart<T>(
  serialize: (value: T) => string,
  parse: (json: unknown) => T,
): JsonPart<T> {
  return { format: "json", serialize, parse };
}

export function avroPart<T>(text: string, parse: (decoded: unknown) => T): AvroPart<T> {
  const type = avro.Type.forSchema(JSON.parse(text));
  return {
    format: "avro",
    schema: { text, type },
    encoder: (schemaId) => (value) => frame(schemaId, type.toBuffer(value)),
    parse,
  };
}
