import assert from "node:assert/strict";
import avro from "avsc";
import { TURNSTILES } from "../../lib/contracts/turnstiles.ts";
import { readAvroInt, stationIdOfRecord, stationRecordLayout } from "./station_bytes.ts";

const turnstileType = TURNSTILES.value.schema.type as avro.types.RecordType;

/** The schema before event_time was added: records of it are still on the topic. */
const firstTurnstileType = avro.Type.forSchema({
  type: "record",
  name: "turnstile_value",
  fields: [
    { name: "station_id", type: "int" },
    { name: "station_name", type: "string" },
    { name: "line", type: "string" },
  ],
}) as avro.types.RecordType;

function shapeOf(type: avro.types.RecordType) {
  return type.fields.map((f) => ({
    name: f.name,
    typeName: f.type.typeName,
    branches: (f.type as unknown as { types?: avro.Type[] }).types?.map((t) => t.typeName),
  }));
}

const layout = stationRecordLayout(shapeOf(turnstileType))!;
const firstLayout = stationRecordLayout(shapeOf(firstTurnstileType))!;

Deno.test("station_id read from the Avro bytes equals the decoded value", () => {
  for (const stationId of [1, 63, 64, 40380, 2 ** 31 - 1, -5]) {
    for (const eventTime of [null, 0, 1_764_547_200_000, 2 ** 52, -1]) {
      const bytes = turnstileType.toBuffer({
        station_id: stationId,
        station_name: "Clark/Lake",
        line: "é",
        event_time: eventTime,
      });
      assert.equal(stationIdOfRecord(bytes, 0, layout), stationId);
    }
    const old = firstTurnstileType.toBuffer({ station_id: stationId, station_name: "x", line: "" });
    assert.equal(stationIdOfRecord(old, 0, firstLayout), stationId);
  }
  assert.deepEqual(readAvroInt(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 0), null);
  assert.deepEqual(readAvroInt(Uint8Array.of(0x80), 0), null);
});

Deno.test("bytes that are not exactly one station record are left to the full decoder", () => {
  const bytes = turnstileType.toBuffer({
    station_id: 40380,
    station_name: "Clark/Lake",
    line: "red",
    event_time: 1_764_547_200_000,
  });
  assert.equal(
    stationIdOfRecord(bytes.subarray(0, bytes.length - 1), 0, layout),
    null,
    "truncated",
  );
  assert.equal(stationIdOfRecord(Uint8Array.of(...bytes, 0), 0, layout), null, "trailing byte");
  assert.equal(
    stationIdOfRecord(Uint8Array.of(0xf0, 0x01, 0x03, 0x41), 0, ["string", "string"]),
    null,
    "length < 0",
  );
  const withoutTime = turnstileType.toBuffer({
    station_id: 40380,
    station_name: "Clark/Lake",
    line: "red",
    event_time: null,
  });
  const badBranch = Uint8Array.of(...withoutTime.subarray(0, withoutTime.length - 1), 4);
  assert.equal(stationIdOfRecord(badBranch, 0, layout), null, "union branch 2");
  const endless = Uint8Array.of(
    ...withoutTime.subarray(0, withoutTime.length - 1),
    2,
    ...Array(11).fill(0x80),
    1,
  );
  assert.equal(stationIdOfRecord(endless, 0, layout), null, "long varint over 10 bytes");
  assert.equal(
    stationIdOfRecord(
      firstTurnstileType.toBuffer({ station_id: 1, station_name: "a", line: "b" }),
      0,
      layout,
    ),
    null,
    "old bytes, new layout",
  );
});

Deno.test("only an int station_id followed by strings and optional longs takes the byte reader", () => {
  assert.deepEqual(layout, ["string", "string", "optionalLong"]);
  assert.deepEqual(firstLayout, ["string", "string"]);
  assert.equal(stationRecordLayout([{ name: "station_id", typeName: "long" }]), null);
  assert.equal(stationRecordLayout([{ name: "id", typeName: "int" }]), null);
  const station = { name: "station_id", typeName: "int" };
  assert.equal(stationRecordLayout([station, { name: "n", typeName: "int" }]), null);
  assert.equal(
    stationRecordLayout([station, {
      name: "t",
      typeName: "union:unwrapped",
      branches: ["long", "null"],
    }]),
    null,
  );
  assert.equal(
    stationRecordLayout([station, {
      name: "t",
      typeName: "union:unwrapped",
      branches: ["null", "long", "string"],
    }]),
    null,
  );
  assert.equal(stationRecordLayout([]), null);
});
