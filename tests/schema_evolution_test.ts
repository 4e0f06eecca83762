/**
 * Schema evolution against the real registry: subjects are BACKWARD compatible, so adding
 * event_time (with a default) to arrival values is accepted, a field without a default is
 * refused, and records written with the old schema still decode under the current contract.
 * Cross-checked with Python confluent-kafka's registry client.
 */
import assert from "node:assert/strict";
import { SchemaType } from "@kafkajs/confluent-schema-registry";
import { basicAuthorization, createRegistry, registerTopicSchemas } from "../lib/registry.ts";
import { setSubjectCompatibility, SUBJECT_COMPATIBILITY } from "../lib/registry.ts";
import { ARRIVALS } from "../lib/contracts/arrivals.ts";
import { subject } from "../lib/contracts/topics.ts";
import { arrivalChanges } from "../dashboard/records.ts";
import { testConfig } from "./dashboard_fixture.ts";
import { compatibilityWithConfluentClient } from "./foreign/mod.ts";

const CURRENT = ARRIVALS.value.schema.text;
const withFields = (change: (fields: { name: string }[]) => { name: string }[]) => {
  const schema = JSON.parse(CURRENT);
  schema.fields = change(schema.fields);
  return JSON.stringify(schema);
};
/** The arrival value as it was before event_time: the same fields without it. */
const PREVIOUS = withFields((fields) => fields.filter((f) => f.name !== "event_time"));
/** Not backward compatible: old records have no value for a field without a default. */
const INCOMPATIBLE = withFields((fields) => [...fields, { name: "platform", type: "string" }]);
/** Backward compatible: a further optional field. */
const COMPATIBLE = withFields((fields) => [
  ...fields,
  { name: "car_count", type: ["null", "int"], default: null } as { name: string },
]);

const OLD_RECORD = {
  station_id: 40900,
  train_id: "RL007",
  direction: "a",
  line: "red",
  train_status: "in_service",
  prev_station_id: null,
  prev_direction: null,
};

Deno.test("arrival values evolve backward compatibly, and old records decode with event_time null", async () => {
  const { config } = testConfig("schema");
  const topic = config.topics.arrivals;
  const valueSubject = subject(topic, "value");
  const registry = createRegistry(config.registry);
  const headers: Record<string, string> = config.registry.basicAuth
    ? { authorization: basicAuthorization(config.registry.basicAuth) }
    : {};
  const http = (path: string, init: RequestInit = {}) =>
    fetch(`${config.registry.url}${path}`, { ...init, headers: { ...headers, ...init.headers } });
  try {
    // The schema as the previous release registered it.
    await setSubjectCompatibility(registry, valueSubject);
    const { id: previousId } = await registry.register(
      { type: SchemaType.AVRO, schema: PREVIOUS },
      { subject: valueSubject, compatibility: SUBJECT_COMPATIBILITY },
    );
    const oldRecord = await registry.encode(previousId, OLD_RECORD);

    // The current schema, as every stage registers it: accepted.
    const ids = await registerTopicSchemas(registry, "arrivals", topic);
    assert.notEqual(ids.value, previousId);
    const level = await (await http(`/config/${valueSubject}`)).json();
    assert.equal(level.compatibilityLevel, "BACKWARD");
    const versions = await (await http(`/subjects/${valueSubject}/versions`)).json();
    assert.equal(versions.length, 2);

    // A field without a default: refused, and the subject keeps its two versions.
    await assert.rejects(
      registry.register(
        { type: SchemaType.AVRO, schema: INCOMPATIBLE },
        { subject: valueSubject, compatibility: SUBJECT_COMPATIBILITY },
      ),
      (error: { status?: number }) => {
        assert.equal(error.status, 409, String(error));
        return true;
      },
    );
    assert.equal((await (await http(`/subjects/${valueSubject}/versions`)).json()).length, 2);

    // The old record, read with the current schema: event_time takes its default.
    const read = await registry.decode(oldRecord, {
      [SchemaType.AVRO]: { readerSchema: JSON.parse(CURRENT) },
    });
    assert.deepEqual(ARRIVALS.value.parse(read), { ...OLD_RECORD, event_time: null });
    // As the dashboard reads it (the writer's schema): the same arrival, reported_at unknown.
    const asWritten = ARRIVALS.value.parse(await registry.decode(oldRecord));
    assert.equal(asWritten.event_time, null);
    const [change] = arrivalChanges(await registry.decode(oldRecord));
    assert.equal(change.kind === "train" && change.train.reported_at, null);

    // A foreign client sees the same rules.
    const foreign = await compatibilityWithConfluentClient(
      config,
      valueSubject,
      [CURRENT, INCOMPATIBLE, COMPATIBLE],
      true,
    );
    assert.equal(foreign.level, "BACKWARD");
    assert.deepEqual(foreign.candidates.map((c) => c.compatible), [true, false, true]);
    assert.equal(foreign.candidates[0].registered, ids.value, "the current schema is known");
    assert.equal(foreign.candidates[1].status, 409);
    assert.equal(foreign.candidates[1].registered, null);
    assert.equal(typeof foreign.candidates[2].registered, "number");
  } finally {
    for (const part of ["key", "value"] as const) {
      const name = subject(topic, part);
      await (await http(`/subjects/${name}`, { method: "DELETE" })).body?.cancel();
      await (await http(`/subjects/${name}?permanent=true`, { method: "DELETE" })).body?.cancel();
    }
  }
});
