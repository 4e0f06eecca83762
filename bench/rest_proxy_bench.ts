/**
 * Cost of the proxy's pure request work for a 10,000-record request (no services):
 *   deno bench -P=client bench/rest_proxy_bench.ts
 */
import { WEATHER } from "../lib/contracts/weather.ts";
import { frame } from "../lib/contracts/wire_format.ts";
import { encodeAvro, parseAvroSchema } from "../rest_proxy/avro.ts";
import { parseProduceRequest } from "../rest_proxy/requests.ts";

const RECORDS = 10_000;
const keySchema = WEATHER.key.schema.text;
const valueSchema = WEATHER.value.schema.text;

const avroBody = JSON.stringify({
  key_schema: keySchema,
  value_schema: valueSchema,
  records: Array.from({ length: RECORDS }, (_, i) => ({
    key: { timestamp: 1_700_000_000_000 + i * 3_600_000 },
    value: { temperature: 40 + (i % 20), status: "cloudy" },
  })),
});
const binaryBody = JSON.stringify({
  records: Array.from(
    { length: RECORDS },
    (_, i) => ({ key: btoa(`k${i}`), value: btoa(`v${i}`) }),
  ),
});

Deno.bench("avro: parse and encode 10,000 weather records", { group: "request" }, () => {
  const request = parseProduceRequest("avro", avroBody);
  const keyType = parseAvroSchema(request.keySchema!);
  const valueType = parseAvroSchema(request.valueSchema!);
  for (const record of request.records) {
    frame(1, encodeAvro(keyType, record.key));
    frame(2, encodeAvro(valueType, record.value));
  }
});

Deno.bench("binary: parse and decode 10,000 base64 records", { group: "request" }, () => {
  parseProduceRequest("binary", binaryBody);
});
