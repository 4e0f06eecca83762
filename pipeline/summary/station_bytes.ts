/**
 * The station of a turnstile event read straight from its Avro bytes, without decoding the
 * strings that follow it: the summary's fast path.
 */

/** The writer schema's fields, as avsc reports them: name, type name and a union's branches. */
export interface FieldShape {
  name: string;
  typeName: string;
  /** The type names of a union's branches, in order. */
  branches?: readonly string[];
}

/** What may follow station_id in a record the byte reader handles. */
export type FieldKind = "string" | "optionalLong";

function kindOf(field: FieldShape): FieldKind | null {
  if (field.typeName === "string") return "string";
  const [first, second, ...rest] = field.branches ?? [];
  if (first === "null" && second === "long" && rest.length === 0) return "optionalLong";
  return null;
}

/**
 * The kinds of the fields after station_id when values of this writer schema can be read by
 * `stationIdOfRecord`: an int `station_id` first, then only strings and `["null", "long"]`
 * unions (the turnstile_value schemas are such); null otherwise.
 */
export function stationRecordLayout(fields: readonly FieldShape[]): FieldKind[] | null {
  if (fields.length === 0 || fields[0].name !== "station_id" || fields[0].typeName !== "int") {
    return null;
  }
  const kinds = fields.slice(1).map(kindOf);
  return kinds.every((k) => k !== null) ? kinds as FieldKind[] : null;
}

/** The offset after a varint of at most `maxBytes` bytes at `offset`, or null. */
function skipVarint(bytes: Uint8Array, offset: number, maxBytes: number): number | null {
  for (let i = 0; i < maxBytes; i++) {
    if (offset + i >= bytes.length) return null;
    if ((bytes[offset + i] & 0x80) === 0) return offset + i + 1;
  }
  return null;
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
 * The station_id of an Avro record of a station record layout (an int, then the fields of
 * `layout`) starting at `offset`, without decoding the rest. Null unless the bytes are exactly
 * one such record, so that anything else can take the full decoder and its error message.
 */
export function stationIdOfRecord(
  bytes: Uint8Array,
  offset: number,
  layout: readonly FieldKind[],
): number | null {
  const first = readAvroInt(bytes, offset);
  if (first === null) return null;
  let next: number | null = first[1];
  for (const kind of layout) {
    if (kind === "string") {
      const length = readAvroInt(bytes, next);
      if (length === null || length[0] < 0) return null;
      next = length[1] + length[0];
    } else {
      // A union's branch index: 0 is null, 1 a long (a varint of up to 10 bytes).
      const branch = readAvroInt(bytes, next);
      if (branch === null || (branch[0] !== 0 && branch[0] !== 1)) return null;
      next = branch[0] === 0 ? branch[1] : skipVarint(bytes, branch[1], 10);
      if (next === null) return null;
    }
  }
  return next === bytes.length ? first[0] : null;
}
