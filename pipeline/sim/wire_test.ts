import assert from "node:assert/strict";
import avro from "avsc";
import { readSchema } from "../../lib/registry.ts";
import { AVRO_SCHEMAS } from "../../lib/topics.ts";
import type { Arrival } from "./trains.ts";
import { wireCodec } from "./wire.ts";

const arrival: Arrival = {
  station_id: 40380,
  train_id: "BL004",
  direction: "a",
  line: "blue",
  train_status: "in_service",
  prev_station_id: 40490,
  prev_direction: "a",
};

Deno.test("arrival values round-trip through the wire format, nulls included", () => {
  const codec = wireCodec<Arrival>(readSchema(AVRO_SCHEMAS.arrivals.value), 42);
  assert.deepEqual({ ...codec.decode(codec.encode(arrival)) }, arrival);
  const first = { ...arrival, prev_station_id: null, prev_direction: null };
  assert.deepEqual({ ...codec.decode(codec.encode(first)) }, first);
});

Deno.test("the header is magic byte 0 and the big-endian schema id, then plain Avro", () => {
  const schema = readSchema(AVRO_SCHEMAS.turnstiles.key);
  const bytes = wireCodec<{ station_id: number }>(schema, 0x01020304).encode({ station_id: 40380 });
  assert.deepEqual([...bytes.subarray(0, 5)], [0, 1, 2, 3, 4]);
  const plain = avro.Type.forSchema(JSON.parse(schema)).toBuffer({ station_id: 40380 });
  assert.deepEqual([...bytes.subarray(5)], [...plain]);
});

Deno.test("decoding refuses another schema id or a missing magic byte", () => {
  const schema = readSchema(AVRO_SCHEMAS.turnstiles.value);
  const value = { station_id: 1, station_name: "Harlem", line: "blue" };
  const bytes = wireCodec(schema, 7).encode(value);
  assert.throws(() => wireCodec(schema, 8).decode(bytes), /schema id 7/);
  const noMagic = Uint8Array.from(bytes);
  noMagic[0] = 1;
  assert.throws(() => wireCodec(schema, 7).decode(noMagic), /wire format/);
});
