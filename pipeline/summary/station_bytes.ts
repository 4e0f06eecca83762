/**
 * The station of a turnstile event read straight from its Avro bytes, without decoding the
 * strings that follow it: the summary's fast path.
 */

/** The writer schema's fields, as avsc reports them: name and type name. */
export interface FieldShape {
  name: string;
  typeName: string;
}

/**
 * True when values of this writer schema can be read by `stationIdOfRecord`: an int
 * `station_id` first, then only strings (the turnstile_value schema is one such).
 */
export function isStationRecordLayout(fields: readonly FieldShape[]): boolean {
  return fields.length > 0 && fields[0].name === "station_id" && fields[0].typeName === "int" &&
    fields.slice(1).every((f) => f.typeName === "string");
}

/**
 * Reads an Avro zig-zag varint int at `offset`: [value, next offset], or null when the bytes
 * end first or it is longer than an int's 5 bytes.
 */
export function readAvroInt(bytes: Uint8Array, offset: number): [number, number] | null {
  let raw = 0;
  for (let i = 0; i < 5; i++) {
    if (offset + i >= bytes.length) return null;
    const b = bytes[offset + i];
    raw += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      // zig-zag: 0, -1, 1, -2, ... encoded as 0, 1, 2, 3, ...
      const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      return value >= -(2 ** 31) && value < 2 ** 31 ? [value, offset + i + 1] : null;
    }
  }
  return null;
}

/**
 * The station_id of an Avro record of the station record layout (an int, then `strings`
 * strings) starting at `offset`, without decoding the strings. Null unless the bytes are exactly
 * one such record, so that anything else can take the full decoder and its error message.
 */
export function stationIdOfRecord(
  bytes: Uint8Array,
  offset: number,
  strings: number,
): number | null {
  const first = readAvroInt(bytes, offset);
  if (first === null) return null;
  let next = first[1];
  for (let i = 0; i < strings; i++) {
    const length = readAvroInt(bytes, next);
    if (length === null || length[0] < 0) return null;
    next = length[1] + length[0];
  }
  return next === bytes.length ? first[0] : null;
}
