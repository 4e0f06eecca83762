import assert from "node:assert/strict";
import avro from "avsc";
import { Buffer } from "node:buffer";
import { ARRIVALS, type ArrivalValue } from "./arrivals.ts";
import type { AvroPart } from "./contract.ts";
import { TURNSTILES } from "./turnstiles.ts";
import { frame, schemaIdOf, unframe, WireFormatError } from "./wire_format.ts";

const arrival: ArrivalValue = {
  station_id: 40380,
  train_id: "BL004",
  direction: "a",
  line: "blue",
  train_status: "in_service",
  prev_station_id: 40490,
  prev_direction: "a",
  event_time: 1_795_737_600_000,
};

function roundTrip<T>(part: AvroPart<T>, id: number, value: T): T {
  const { schemaId, payload } = unframe(part.encoder(id)(value));
  assert.equal(schemaId, id);
  return { ...part.schema.type.fromBuffer(payload) } as T;
}

Deno.test("the wire format is magic byte 0, the big-endian schema id, then the body", () => {
  const framed = frame(0x01020304, new Uint8Array([9, 8]));
  assert.deepEqual([...framed], [0, 1, 2, 3, 4, 9, 8]);
  assert.equal(schemaIdOf(framed), 0x01020304);
  assert.equal(schemaIdOf(framed.subarray(1)), undefined);
  assert.equal(schemaIdOf(Uint8Array.of(0, 1, 2)), undefined);
  assert.equal(schemaIdOf(null), undefined);
});

Deno.test("bytes that are not the wire format are a WireFormatError", () => {
  for (const bytes of [null, Buffer.alloc(0), Buffer.from([0, 1]), Buffer.from([1, 0, 0, 0, 1])]) {
    assert.throws(() => unframe(bytes), WireFormatError);
  }
});

Deno.test("arrival values round-trip through the wire format, nulls included", () => {
  assert.deepEqual(roundTrip(ARRIVALS.value, 42, arrival), arrival);
  const first = { ...arrival, prev_station_id: null, prev_direction: null, event_time: null };
  assert.deepEqual(roundTrip(ARRIVALS.value, 42, first), first);
});

Deno.test("an arrival written before event_time existed reads with event_time null", () => {
  const firstSchema = JSON.parse(ARRIVALS.value.schema.text);
  firstSchema.fields = firstSchema.fields.filter((f: { name: string }) => f.name !== "event_time");
  const writer = avro.Type.forSchema(firstSchema);
  const { event_time: _, ...old } = arrival;
  const resolver = ARRIVALS.value.schema.type.createResolver(writer);
  const decoded = ARRIVALS.value.schema.type.fromBuffer(writer.toBuffer(old), resolver);
  assert.deepEqual(ARRIVALS.value.parse(decoded), { ...old, event_time: null });
});

Deno.test("turnstile keys and values round-trip; the header is 0 and the big-endian id", () => {
  const key = { station_id: 40380 };
  assert.deepEqual(roundTrip(TURNSTILES.key, 0x01020304, key), key);
  const bytes = TURNSTILES.key.encoder(0x01020304)(key);
  assert.deepEqual([...bytes.subarray(0, 5)], [0, 1, 2, 3, 4]);
  const value = { station_id: 40750, station_name: "Harlem", line: "blue", event_time: null };
  assert.deepEqual(roundTrip(TURNSTILES.value, 9, value), value);
});
