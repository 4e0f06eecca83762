import assert from "node:assert/strict";
import type avro from "avsc";
import { TURNSTILES } from "../../lib/contracts/turnstiles.ts";
import { isStationRecordLayout, readAvroInt, stationIdOfRecord } from "./station_bytes.ts";

const turnstileType = TURNSTILES.value.schema.type as avro.types.RecordType;

Deno.test("station_id read from the Avro bytes equals the decoded value", () => {
  for (const stationId of [1, 63, 64, 40380, 2 ** 31 - 1, -5]) {
    const bytes = turnstileType.toBuffer({
      station_id: stationId,
      station_name: "Clark/Lake",
      line: "é",
    });
    assert.equal(stationIdOfRecord(bytes, 0, 2), stationId);
  }
  assert.deepEqual(readAvroInt(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 0), null);
  assert.deepEqual(readAvroInt(Uint8Array.of(0x80), 0), null);
});

Deno.test("bytes that are not exactly one station record are left to the full decoder", () => {
  const bytes = turnstileType.toBuffer({
    station_id: 40380,
    station_name: "Clark/Lake",
    line: "red",
  });
  assert.equal(stationIdOfRecord(bytes.subarray(0, bytes.length - 1), 0, 2), null, "truncated");
  assert.equal(stationIdOfRecord(Uint8Array.of(...bytes, 0), 0, 2), null, "trailing byte");
  assert.equal(stationIdOfRecord(Uint8Array.of(0xf0, 0x01, 0x03, 0x41), 0, 2), null, "length < 0");
});

Deno.test("only an int station_id followed by strings takes the byte reader", () => {
  const shape = turnstileType.fields.map((f) => ({ name: f.name, typeName: f.type.typeName }));
  assert.equal(isStationRecordLayout(shape), true);
  assert.equal(isStationRecordLayout([{ name: "station_id", typeName: "long" }]), false);
  assert.equal(isStationRecordLayout([{ name: "id", typeName: "int" }]), false);
  assert.equal(
    isStationRecordLayout([{ name: "station_id", typeName: "int" }, {
      name: "n",
      typeName: "int",
    }]),
    false,
  );
  assert.equal(isStationRecordLayout([]), false);
});
