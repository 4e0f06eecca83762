/**
 * The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then
 * the Avro binary. Schemas are registered once; events are encoded here without the registry.
 */
import avro from "avsc";
import { Buffer } from "node:buffer";

const MAGIC = 0;
const HEADER_BYTES = 5;

export interface WireCodec<T> {
  schemaId: number;
  encode(value: T): Buffer;
  decode(bytes: Uint8Array): T;
}

export function wireCodec<T>(schemaText: string, schemaId: number): WireCodec<T> {
  const type = avro.Type.forSchema(JSON.parse(schemaText));
  return {
    schemaId,
    encode(value: T): Buffer {
      const body = type.toBuffer(value);
      const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
      out.writeUInt8(MAGIC, 0);
      out.writeUInt32BE(schemaId, 1);
      body.copy(out, HEADER_BYTES);
      return out;
    },
    decode(bytes: Uint8Array): T {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (buffer.length < HEADER_BYTES || buffer.readUInt8(0) !== MAGIC) {
        throw new Error("not in the Confluent wire format");
      }
      const id = buffer.readUInt32BE(1);
      if (id !== schemaId) throw new Error(`schema id ${id}, expected ${schemaId}`);
      return type.fromBuffer(buffer.subarray(HEADER_BYTES)) as T;
    },
  };
}
