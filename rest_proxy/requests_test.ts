import assert from "node:assert/strict";
import { RestError } from "./errors.ts";
import {
  checkTopicName,
  decodeBase64,
  embeddedFormat,
  isTopicAllowed,
  parseProduceRequest,
  recordsOutsidePartitions,
} from "./requests.ts";

function rejection(fn: () => unknown): { status: number; code: number } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RestError, `expected a RestError, got ${error}`);
    return { status: error.status, code: error.errorCode };
  }
  assert.fail("expected a rejection");
}

const text = (bytes: Uint8Array | unknown) => new TextDecoder().decode(bytes as Uint8Array);

Deno.test("each v2 content type names its embedded format, parameters ignored", () => {
  assert.equal(embeddedFormat("application/vnd.kafka.binary.v2+json"), "binary");
  assert.equal(embeddedFormat("application/vnd.kafka.json.v2+json; charset=utf-8"), "json");
  assert.equal(embeddedFormat("Application/VND.kafka.avro.v2+json"), "avro");
});

Deno.test("other or missing content types are 415", () => {
  for (
    const type of [
      null,
      "",
      "application/json",
      "application/vnd.kafka.v2+json",
      "application/vnd.kafka.binary.v1+json",
      "application/vnd.kafka.protobuf.v2+json",
      "text/plain",
    ]
  ) {
    assert.deepEqual(rejection(() => embeddedFormat(type)), { status: 415, code: 415 }, `${type}`);
  }
});

Deno.test("binary records decode base64 keys and values; absent ones are null", () => {
  const request = parseProduceRequest(
    "binary",
    JSON.stringify({
      records: [{ key: btoa("k1"), value: btoa("v1") }, { value: btoa("v2"), partition: 2 }, {}],
    }),
  );
  assert.equal(request.records.length, 3);
  assert.equal(text(request.records[0].key), "k1");
  assert.equal(text(request.records[0].value), "v1");
  assert.equal(request.records[1].key, null);
  assert.equal(request.records[1].partition, 2);
  assert.equal(request.records[2].value, null);
});

Deno.test("json records carry the JSON text of key and value", () => {
  const request = parseProduceRequest(
    "json",
    JSON.stringify({ records: [{ key: { id: 1 }, value: [1, "two", null] }, { value: 0 }] }),
  );
  assert.equal(text(request.records[0].key), '{"id":1}');
  assert.equal(text(request.records[0].value), '[1,"two",null]');
  assert.equal(request.records[1].key, null);
  assert.equal(text(request.records[1].value), "0");
});

Deno.test("avro requests keep the records' JSON and the schemas or schema ids", () => {
  const request = parseProduceRequest(
    "avro",
    JSON.stringify({
      key_schema: '"long"',
      value_schema_id: 7,
      records: [{ key: 5, value: { a: 1 } }],
    }),
  );
  assert.equal(request.keySchema, '"long"');
  assert.equal(request.keySchemaId, undefined);
  assert.equal(request.valueSchemaId, 7);
  assert.deepEqual(request.records[0], { key: 5, value: { a: 1 } });
});

Deno.test("malformed JSON is 400 with error_code 400", () => {
  for (const body of ["", "{", '{"records": [}', "nul", "\u0000"]) {
    assert.deepEqual(rejection(() => parseProduceRequest("json", body)), {
      status: 400,
      code: 400,
    });
  }
});

Deno.test("a body of the wrong shape is 422 with error_code 422", () => {
  const bodies = [
    "[]",
    "null",
    "42",
    "{}",
    '{"records": {}}',
    '{"records": []}',
    '{"records": [1]}',
    '{"records": [null]}',
    '{"records": [{"value": "AA==", "partition": -1}]}',
    '{"records": [{"value": "AA==", "partition": 1.5}]}',
    '{"records": [{"value": "AA==", "partition": "0"}]}',
    '{"records": [{"value": "AA==", "partition": 1e300}]}',
  ];
  for (const body of bodies) {
    assert.deepEqual(
      rejection(() => parseProduceRequest("binary", body)),
      { status: 422, code: 422 },
      body,
    );
  }
});

Deno.test("binary payloads that are not padded base64 strings are 422", () => {
  for (const value of ["not base64!", "AAA", "A===", 12, { a: 1 }, [1], true]) {
    const body = JSON.stringify({ records: [{ value }] });
    assert.deepEqual(rejection(() => parseProduceRequest("binary", body)), {
      status: 422,
      code: 422,
    });
  }
});

Deno.test("avro keys without a key schema are 42201, values without a value schema 42202", () => {
  const keyOnly = JSON.stringify({ value_schema: '"int"', records: [{ key: 1, value: 2 }] });
  assert.deepEqual(rejection(() => parseProduceRequest("avro", keyOnly)), {
    status: 422,
    code: 42201,
  });
  const valueOnly = JSON.stringify({ key_schema: '"int"', records: [{ key: 1, value: 2 }] });
  assert.deepEqual(rejection(() => parseProduceRequest("avro", valueOnly)), {
    status: 422,
    code: 42202,
  });
});

Deno.test("avro schema fields of the wrong type, or both schema and id, are 422", () => {
  const bodies = [
    { value_schema: { type: "int" }, records: [{ value: 1 }] },
    { value_schema: "", records: [{ value: 1 }] },
    { value_schema_id: "1", records: [{ value: 1 }] },
    { value_schema_id: -1, records: [{ value: 1 }] },
    { value_schema: '"int"', value_schema_id: 1, records: [{ value: 1 }] },
  ];
  for (const body of bodies) {
    assert.deepEqual(
      rejection(() => parseProduceRequest("avro", JSON.stringify(body))),
      { status: 422, code: 422 },
      JSON.stringify(body),
    );
  }
});

Deno.test("base64 decoding is strict and exact", () => {
  assert.deepEqual(decodeBase64("AAEC/w=="), new Uint8Array([0, 1, 2, 255]));
  assert.deepEqual(decodeBase64(""), new Uint8Array([]));
  assert.equal(decodeBase64("AAEC/w"), undefined);
  assert.equal(decodeBase64("AA EC"), undefined);
});

Deno.test("illegal topic names are 404 40401; legal ones pass", () => {
  checkTopicName("org.chicago.cta.station-arrivals_1");
  for (const name of ["", ".", "..", "a/b", "a b", "é", "x".repeat(250)]) {
    assert.deepEqual(rejection(() => checkTopicName(name)), { status: 404, code: 40401 }, name);
  }
});

Deno.test("the allow-list takes exact names and prefixes; no list allows all", () => {
  assert.equal(isTopicAllowed("weather", undefined), true);
  assert.equal(isTopicAllowed("weather", []), true);
  assert.equal(isTopicAllowed("weather", ["weather"]), true);
  assert.equal(isTopicAllowed("weather2", ["weather"]), false);
  assert.equal(isTopicAllowed("test-1.weather", ["test-*"]), true);
  assert.equal(isTopicAllowed("prod.weather", ["test-*", "weather"]), false);
});

Deno.test("records naming a partition beyond the topic's are detected", () => {
  const request = parseProduceRequest("json", '{"records":[{"value":1,"partition":2}]}');
  assert.equal(recordsOutsidePartitions(request.records, 3), false);
  assert.equal(recordsOutsidePartitions(request.records, 2), true);
});
