/**
 * Turns decoded Kafka records into state changes. Pure: decoding the bytes (JSON, Avro) is the
 * consumer's job; this checks the shapes the topic contracts promise.
 */
import { type Change, isLineId, type LineId } from "./state.ts";

export class RecordShapeError extends Error {
  override name = "RecordShapeError";
}

type Fields = Record<string, unknown>;

function record(value: unknown, what: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RecordShapeError(`${what} is not an object`);
  }
  return value as Fields;
}

function int(fields: Fields, name: string): number {
  const value = typeof fields[name] === "string" ? Number(fields[name]) : fields[name];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new RecordShapeError(`${name} is not an integer`);
  }
  return value;
}

function num(fields: Fields, name: string): number {
  const value = fields[name];
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RecordShapeError(`${name} is not a number`);
  }
  return value;
}

function text(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== "string") throw new RecordShapeError(`${name} is not a string`);
  return value;
}

function line(fields: Fields): LineId {
  const value = fields.line;
  if (!isLineId(value)) throw new RecordShapeError(`line ${JSON.stringify(value)} is unknown`);
  return value;
}

/**
 * A transformed station record. A null value is a tombstone: the station leaves the line named
 * by the key, or every line when the key names none.
 */
export function stationChanges(key: unknown, value: unknown): Change[] {
  if (value === null || value === undefined) {
    const k = typeof key === "number" ? { station_id: key } : record(key, "station key");
    const stationId = int(k, "station_id");
    const lines: readonly LineId[] = isLineId(k.line) ? [k.line] : ["red", "blue", "green"];
    return lines.map((l) => ({ kind: "stationRemoved", line: l, station_id: stationId }));
  }
  const v = record(value, "station value");
  return [{
    kind: "station",
    line: line(v),
    station: {
      station_id: int(v, "station_id"),
      station_name: text(v, "station_name"),
      order: int(v, "order"),
    },
  }];
}

/** An arrival: the train is now at station_id in direction (its previous place is implied). */
export function arrivalChanges(value: unknown): Change[] {
  const v = record(value, "arrival value");
  const direction = text(v, "direction");
  if (direction !== "a" && direction !== "b") {
    throw new RecordShapeError(`direction ${JSON.stringify(direction)} is not a or b`);
  }
  return [{
    kind: "train",
    train: {
      train_id: text(v, "train_id"),
      line: line(v),
      station_id: int(v, "station_id"),
      direction,
      status: text(v, "train_status"),
    },
  }];
}

/** A TURNSTILE_SUMMARY row `{"STATION_ID": n, "COUNT": n}`; a tombstone resets the count. */
export function turnstileChanges(key: unknown, value: unknown): Change[] {
  if (value === null || value === undefined) {
    const stationId = typeof key === "number" ? key : int(record(key, "summary key"), "STATION_ID");
    return [{ kind: "turnstile", station_id: stationId, count: 0 }];
  }
  const v = record(value, "summary value");
  return [{ kind: "turnstile", station_id: int(v, "STATION_ID"), count: int(v, "COUNT") }];
}

/** A weather reading: Avro key `{timestamp}`, value `{temperature, status}`. */
export function weatherChanges(key: unknown, value: unknown): Change[] {
  const k = record(key, "weather key");
  const v = record(value, "weather value");
  const timestamp = typeof k.timestamp === "bigint" ? Number(k.timestamp) : num(k, "timestamp");
  return [{
    kind: "weather",
    weather: { timestamp, temperature: num(v, "temperature"), status: text(v, "status") },
  }];
}

/** Parses a JSON key or value; an empty or absent buffer is null (a tombstone). */
export function parseJson(bytes: Uint8Array | null | undefined): unknown {
  if (!bytes || bytes.length === 0) return null;
  return JSON.parse(new TextDecoder().decode(bytes));
}
