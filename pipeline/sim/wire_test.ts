import assert from "node:assert/strict";
import avro from "avsc";
import { readSchema } from "../../lib/registry.ts";
import { AVRO_SCHEMAS } from "../../lib/topics.ts";
import { avroEncoder, unframe } from "../../lib/wire_format.ts";
import type { Arrival } from "./trains.ts";

const arrival: Arrival = {
  station_id: 40380,
  train_id: "BL004",
  direction: "a",
  line: "blue",
  train_status: "in_service",
  prev_station_id: 40490,
  prev_direction: "a",
};

function roundTrip<T>(schema: string, id: number, value: T): T {
  const { schemaId, payload } = unframe(avroEncoder<T>(id, schema)(value));
  assert.equal(schemaId, id);
  return { ...avro.Type.forSchema(JSON.parse(schema)).fromBuffer(payload) } as T;
}

Deno.test("arrival values round-trip through the wire format, nulls included", () => {
  const schema = readSchema(AVRO_SCHEMAS.arrivals.value);
  assert.deepEqual(roundTrip(schema, 42, arrival), arrival);
  const first = { ...arrival, prev_station_id: null, prev_direction: null };
  assert.deepEqual(roundTrip(schema, 42, first), first);
});

Deno.test("turnstile keys and values round-trip; the header is 0 and the big-endian id", () => {
  const keySchema = readSchema(AVRO_SCHEMAS.turnstiles.key);
  assert.deepEqual(roundTrip(keySchema, 0x01020304, { station_id: 40380 }), { station_id: 40380 });
  const bytes = avroEncoder(0x01020304, keySchema)({ station_id: 40380 });
  assert.deepEqual([...bytes.subarray(0, 5)], [0, 1, 2, 3, 4]);
  const value = { station_id: 40750, station_name: "Harlem", line: "blue" };
  assert.deepEqual(roundTrip(readSchema(AVRO_SCHEMAS.turnstiles.value), 9, value), value);
});
