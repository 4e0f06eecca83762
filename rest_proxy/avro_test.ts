import assert from "node:assert/strict";
import avro from "avsc";
import { WEATHER } from "../lib/contracts/weather.ts";
import { encodeAvro, parseAvroSchema } from "./avro.ts";
import { RestError } from "./errors.ts";

const weatherValue = WEATHER.value.schema.text;

function errorCode(fn: () => unknown): number {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RestError);
    assert.equal(error.status, 422);
    return error.errorCode;
  }
  assert.fail("expected a rejection");
}

Deno.test("a weather value converts to the Avro binary that avsc reads back", () => {
  const type = parseAvroSchema(weatherValue);
  const bytes = encodeAvro(type, { temperature: 41.5, status: "windy" });
  const reader = avro.Type.forSchema(JSON.parse(weatherValue));
  assert.deepEqual({ ...reader.fromBuffer(Buffer.from(bytes)) }, {
    temperature: 41.5,
    status: "windy",
  });
});

Deno.test("unions take Avro's JSON encoding, as Confluent's proxy does", () => {
  const type = parseAvroSchema('["null", "string"]');
  assert.deepEqual([...encodeAvro(type, { string: "a" })], [2, 2, 97]);
  assert.deepEqual([...encodeAvro(type, null)], [0]);
});

Deno.test("values that do not match the schema are 42203", () => {
  const type = parseAvroSchema(weatherValue);
  for (
    const value of [
      { temperature: "warm", status: "windy" },
      { temperature: 40, status: "hail" },
      { temperature: 40 },
      "text",
      [1, 2],
    ]
  ) {
    assert.equal(errorCode(() => encodeAvro(type, value)), 42203, JSON.stringify(value));
  }
  assert.equal(errorCode(() => encodeAvro(parseAvroSchema('"long"'), 1e20)), 42203);
});

Deno.test("schemas that are not valid Avro JSON are 42205", () => {
  for (
    const schema of ["int", "{", '{"type": "record", "name": "x"}', '{"type": "nope"}', "[1]"]
  ) {
    assert.equal(errorCode(() => parseAvroSchema(schema)), 42205, schema);
  }
});
