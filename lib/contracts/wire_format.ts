/**
 * The Confluent wire format of a Schema Registry serialized value: magic byte 0, the schema id
 * as a 4-byte big-endian integer, then the Avro binary encoding.
 */
import type avro from "avsc";
import type { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import { Buffer } from "node:buffer";
import { DependencyUnavailableError } from "../exactly_once/ports.ts";

const MAGIC_BYTE = 0;
/** The magic byte and the schema id: the Avro body starts here. */
export const HEADER_BYTES = 5;

export class WireFormatError extends Error {
  override name = "WireFormatError";
}

export function frame(schemaId: number, avroBytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + avroBytes.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  out.set(avroBytes, HEADER_BYTES);
  return out;
}

export function unframe(bytes: Buffer | null): { schemaId: number; payload: Buffer } {
  if (bytes === null || bytes.length === 0) throw new WireFormatError("empty value");
  if (bytes.length < HEADER_BYTES) {
    throw new WireFormatError(`${bytes.length} bytes is too short for the wire format`);
  }
  if (bytes[0] !== MAGIC_BYTE) {
    throw new WireFormatError(`unknown magic byte ${bytes[0]}`);
  }
  return { schemaId: bytes.readUInt32BE(1), payload: bytes.subarray(HEADER_BYTES) };
}

/** The schema id of framed bytes, without copying them; undefined unless they are framed. */
export function schemaIdOf(bytes: Uint8Array | null): number | undefined {
  if (bytes === null || bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
}

/**
 * True when the registry's answer means that no schema has this id: Confluent answers 404 with
 * error code 40403. Anything else (refused, timed out, 5xx) says nothing about the bytes.
 */
export function isUnknownSchema(error: unknown): boolean {
  const e = error as { status?: number; message?: string };
  return e?.status === 404 || /\b4040[0-9]\b/.test(e?.message ?? "");
}

/**
 * Decodes wire-format values through the registry, fetching each writer schema once.
 * A value that is not the wire format, names a schema the registry does not have, or does not
 * match its writer schema is a WireFormatError. A registry that is down or failing throws
 * DependencyUnavailableError, so that the caller retries instead of blaming the bytes.
 */
export class AvroDecoder {
  readonly #types = new Map<number, Promise<avro.Type>>();

  constructor(private readonly registry: Pick<SchemaRegistry, "getSchema">) {}

  #typeOf(schemaId: number): Promise<avro.Type> {
    let type = this.#types.get(schemaId);
    if (!type) {
      // For Avro the registry client hands back a ready avsc Type.
      type = this.registry.getSchema(schemaId).then(
        (schema) => schema as unknown as avro.Type,
        (error: Error) => {
          if (!isUnknownSchema(error)) {
            this.#types.delete(schemaId);
            throw new DependencyUnavailableError(
              `schema registry unavailable (schema id ${schemaId}): ${error.message}`,
            );
          }
          // Ids are never reused for another schema: an unknown id stays unknown.
          throw new WireFormatError(`schema id ${schemaId} not found: ${error.message}`);
        },
      );
      this.#types.set(schemaId, type);
    }
    return type;
  }

  /** The writer schema of an id, fetched once; rejects with a WireFormatError when unknown. */
  writerType(schemaId: number): Promise<avro.Type> {
    return this.#typeOf(schemaId);
  }

  async decode<T = Record<string, unknown>>(bytes: Buffer | null): Promise<T> {
    const [result] = await this.decodeAll<T>([bytes]);
    if (result instanceof WireFormatError) throw result;
    return result;
  }

  /**
   * Decodes many values, fetching each unknown schema once up front; a value that cannot be
   * decoded yields its WireFormatError in its place.
   */
  async decodeAll<T = Record<string, unknown>>(
    values: (Buffer | null)[],
  ): Promise<(T | WireFormatError)[]> {
    const framed = values.map((bytes) => {
      try {
        return unframe(bytes);
      } catch (error) {
        return error as WireFormatError;
      }
    });
    const ids = new Set<number>();
    for (const f of framed) if (!(f instanceof WireFormatError)) ids.add(f.schemaId);
    const types = new Map<number, avro.Type | WireFormatError>();
    await Promise.all([...ids].map(async (id) => {
      types.set(
        id,
        await this.#typeOf(id).catch((error: Error) => {
          if (error instanceof WireFormatError) return error;
          throw error;
        }),
      );
    }));
    return framed.map((f) => {
      if (f instanceof WireFormatError) return f;
      const type = types.get(f.schemaId)!;
      if (type instanceof WireFormatError) return type;
      try {
        return type.fromBuffer(f.payload) as T;
      } catch (error) {
        return new WireFormatError(
          `not a valid value of schema ${f.schemaId}: ${(error as Error).message}`,
        );
      }
    });
  }
}
