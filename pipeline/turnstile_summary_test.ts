import assert from "node:assert/strict";
import avro from "avsc";
import {
  countEntries,
  type Counts,
  isStationRecordLayout,
  parseSummaryValue,
  readAvroInt,
  stationIdOfRecord,
  stationOf,
  summaryKey,
  summaryValue,
} from "./turnstile_summary.ts";

Deno.test("counts one entry per event and reports each changed station once per batch", () => {
  const counts: Counts = new Map([[40380, 10]]);
  const changed = countEntries(counts, [40380, 40020, 40380, 40380]);
  assert.deepEqual([...changed], [[40380, 13], [40020, 1]]);
  assert.equal(counts.get(40380), 13);
  assert.equal(counts.get(40020), 1);
});

Deno.test("an empty batch changes nothing", () => {
  const counts: Counts = new Map([[40380, 10]]);
  assert.equal(countEntries(counts, []).size, 0);
  assert.equal(counts.get(40380), 10);
});

Deno.test("summary records have the KSQL table's shape and read back", () => {
  assert.equal(summaryKey(40380), "40380");
  const value = summaryValue(40380, 7);
  assert.deepEqual(JSON.parse(value), { STATION_ID: 40380, COUNT: 7 });
  assert.deepEqual(parseSummaryValue(value), { STATION_ID: 40380, COUNT: 7 });
});

Deno.test("anything that is not a summary record reads back as null", () => {
  for (const bad of [null, "", "not json", "{}", '{"STATION_ID":"x","COUNT":1}', "[1,2]"]) {
    assert.equal(parseSummaryValue(bad), null, String(bad));
  }
});

Deno.test("a turnstile value without a usable station_id is rejected with a reason", () => {
  assert.deepEqual(stationOf({ station_id: 40380, station_name: "Clark/Lake", line: "blue" }), {
    stationId: 40380,
  });
  for (const bad of [null, {}, { station_id: "40380" }, { station_id: 1.5 }, { station_id: -3 }]) {
    const result = stationOf(bad);
    assert.ok("reason" in result, JSON.stringify(bad));
  }
});

const turnstileType = avro.Type.forSchema(
  JSON.parse(Deno.readTextFileSync(new URL("../schemas/turnstile_value.avsc", import.meta.url))),
) as avro.types.RecordType;

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
