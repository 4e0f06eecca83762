/**
 * The turnstile summary topology, free of I/O: turnstile events in, running counts per
 * station out. It is the KSQL table
 * `CREATE TABLE TURNSTILE_SUMMARY AS SELECT station_id, COUNT(*) FROM turnstile GROUP BY station_id`.
 */

// moved to lib/contracts; chaos still imports it here
export { parseSummaryValue } from "../lib/contracts/turnstile_summary.ts";

export type Counts = Map<number, number>;

/**
 * Adds one entry per event to the counts and returns the stations whose count changed, with
 * their new count: one output record per station and batch, however many entries it had.
 */
export function countEntries(counts: Counts, stationIds: Iterable<number>): Counts {
  const changed: Counts = new Map();
  for (const stationId of stationIds) {
    const count = (counts.get(stationId) ?? 0) + 1;
    counts.set(stationId, count);
    changed.set(stationId, count);
  }
  return changed;
}

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
