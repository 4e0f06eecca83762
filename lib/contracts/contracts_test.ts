/** Keeps the contracts and schemas/ in step, and every serializer with its parser. */
import assert from "node:assert/strict";
import avro from "avsc";
import { Buffer } from "node:buffer";
import type { Part, TopicContract } from "./contract.ts";
import {
  type Direction,
  DIRECTIONS,
  type Line,
  LINES,
  TRAIN_STATUSES,
  type TrainStatus,
  WEATHER_STATUSES,
  type WeatherStatus,
} from "./enums.ts";
import {
  deadLetterGroup,
  deadLetterHeaders,
  deadLetterSource,
  MAX_REASON_CHARS,
} from "./dead_letters.ts";
import { RecordShapeError } from "./shape.ts";
import {
  AVRO_CONTRACTS,
  COMPACTED_ROLES,
  CONTRACTS,
  minInsyncReplicas,
  type TopicRole,
  topicsIn,
} from "./topics.ts";
import { parseSummaryValue, TURNSTILE_SUMMARY } from "./turnstile_summary.ts";
import { AvroDecoder } from "./wire_format.ts";
import { sampleStationRow } from "./station_samples.ts";

// Each union's members, spelled once more: the compiler rejects a missing or extra key.
const LINE_TYPE: Record<Line, true> = { red: true, blue: true, green: true };
const DIRECTION_TYPE: Record<Direction, true> = { a: true, b: true };
const TRAIN_STATUS_TYPE: Record<TrainStatus, true> = {
  in_service: true,
  out_of_service: true,
  broken_down: true,
};
const WEATHER_STATUS_TYPE: Record<WeatherStatus, true> = {
  sunny: true,
  partly_cloudy: true,
  cloudy: true,
  windy: true,
  precipitation: true,
};

const sorted = (values: readonly string[]) => [...values].sort();

Deno.test("the union types have exactly the values the schemas give", () => {
  assert.deepEqual(sorted(LINES), sorted(Object.keys(LINE_TYPE)));
  assert.deepEqual(sorted(DIRECTIONS), sorted(Object.keys(DIRECTION_TYPE)));
  assert.deepEqual(sorted(TRAIN_STATUSES), sorted(Object.keys(TRAIN_STATUS_TYPE)));
  assert.deepEqual(sorted(WEATHER_STATUSES), sorted(Object.keys(WEATHER_STATUS_TYPE)));
});

Deno.test("the weather statuses are the enum's symbols as avsc reads them, in order", () => {
  const type = AVRO_CONTRACTS.weather.value.schema.type as avro.types.RecordType;
  const status = type.field("status")?.type as avro.types.EnumType;
  assert.deepEqual([...WEATHER_STATUSES], status.symbols);
});

Deno.test("every Avro part is a file of schemas/, verbatim, that avsc parses", () => {
  const files = [...Deno.readDirSync(new URL("../../schemas/", import.meta.url))]
    .filter((entry) => entry.name.endsWith(".avsc"))
    .map((entry) => Deno.readTextFileSync(new URL(`../../schemas/${entry.name}`, import.meta.url)));
  const parts = Object.values(AVRO_CONTRACTS).flatMap((c) => [c.key.schema, c.value.schema]);
  assert.deepEqual(sorted(parts.map((s) => s.text)), sorted(files), "one part per file");
  for (const schema of parts) {
    const type = avro.Type.forSchema(JSON.parse(schema.text));
    assert.equal(type.fingerprint().toString("hex"), schema.type.fingerprint().toString("hex"));
  }
});

type KeyOf<R extends TopicRole> = ReturnType<typeof CONTRACTS[R]["key"]["parse"]>;
type ValueOf<R extends TopicRole> = ReturnType<typeof CONTRACTS[R]["value"]["parse"]>;

const SAMPLES: { [R in TopicRole]: { key: KeyOf<R>; value: ValueOf<R> }[] } = {
  stations: [{
    key: { stop_id: 30374 },
    value: sampleStationRow(),
  }],
  stationsTransformed: [
    {
      key: { station_id: 40380, line: "green" },
      value: { station_id: 40380, station_name: "Clark/Lake", order: 14, line: "green" },
    },
    {
      key: { station_id: 40380 },
      value: { station_id: 40380, station_name: "Clark/Lake", order: 16, line: "blue" },
    },
  ],
  arrivals: [
    {
      key: { station_id: 40380 },
      value: {
        station_id: 40380,
        train_id: "BL004",
        direction: "a",
        line: "blue",
        train_status: "broken_down",
        prev_station_id: 40490,
        prev_direction: "b",
        event_time: 1_795_737_600_000,
      },
    },
    {
      key: { station_id: 40900 },
      value: {
        station_id: 40900,
        train_id: "RL001",
        direction: "b",
        line: "red",
        train_status: "in_service",
        prev_station_id: null,
        prev_direction: null,
        event_time: null,
      },
    },
  ],
  turnstiles: [{
    key: { station_id: 40750 },
    value: {
      station_id: 40750,
      station_name: "Harlem",
      line: "blue",
      event_time: 1_795_737_900_000,
    },
  }],
  weather: [{
    key: { timestamp: 1_795_737_600_000 },
    value: { temperature: 40.5, status: "partly_cloudy" },
  }],
  turnstileSummary: [{ key: 40380, value: { STATION_ID: 40380, COUNT: 7 } }],
  predictions: [{
    key: { station_id: 40380, line: "blue", direction: "a" },
    value: {
      station_id: 40380,
      line: "blue",
      direction: "a",
      generated_at: 1_795_737_600_000,
      arrivals: [{
        train_id: "BL004",
        arrival_time: 1_795_737_900_000,
        from_station_id: 40490,
        reported_at: 1_795_737_600_000,
        stops_away: 0,
        destination_station_id: 40890,
        delayed: false,
        broken_down: false,
      }],
    },
  }],
  alerts: [{
    key: { alert_id: "breakdown:RL004" },
    value: {
      alert_id: "breakdown:RL004",
      kind: "breakdown",
      line: "red",
      direction: "b",
      train_id: "RL004",
      station_id: 40900,
      raised_at: 1_795_737_600_000,
      message: "Red Line train RL004 has broken down at Howard.",
    },
  }, {
    key: { alert_id: "service_gap:green:a" },
    value: {
      alert_id: "service_gap:green:a",
      kind: "service_gap",
      line: "green",
      direction: "a",
      train_id: null,
      station_id: null,
      raised_at: 1_795_737_600_000,
      message: "No Green Line trains towards Harlem/Lake for 20 minutes.",
    },
  }],
};

/** A registry that knows the contracts' schemas, by their position in AVRO_CONTRACTS. */
const schemaIds = new Map<avro.Type, number>();
for (const contract of Object.values(AVRO_CONTRACTS)) {
  for (const part of [contract.key, contract.value]) {
    schemaIds.set(part.schema.type, 100 + schemaIds.size);
  }
}
const decoder = new AvroDecoder({
  getSchema: (id: number) => {
    const type = [...schemaIds].find(([, known]) => known === id)?.[0];
    return type ? Promise.resolve(type) : Promise.reject(new Error(`no schema ${id} (40403)`));
  },
  // deno-lint-ignore no-explicit-any
} as any);

async function roundTrip<T>(part: Part<T>, value: T): Promise<T> {
  if (part.format === "json") return part.parse(JSON.parse(part.serialize(value)));
  const bytes = part.encoder(schemaIds.get(part.schema.type)!)(value);
  return part.parse(await decoder.decode(bytes));
}

Deno.test("every topic's keys and values read back as they were written", async () => {
  for (const role of Object.keys(CONTRACTS) as TopicRole[]) {
    const contract = CONTRACTS[role] as TopicContract<unknown, unknown>;
    for (const { key, value } of SAMPLES[role] as { key: unknown; value: unknown }[]) {
      assert.deepEqual(await roundTrip(contract.key, key), key, `${role} key`);
      assert.deepEqual(await roundTrip(contract.value, value), value, `${role} value`);
    }
  }
});

Deno.test("parsers reject values outside the schemas' enumerations", () => {
  const arrival = SAMPLES.arrivals[0].value;
  for (const bad of [{ line: "purple" }, { direction: "c" }, { train_status: "late" }]) {
    assert.throws(() => CONTRACTS.arrivals.value.parse({ ...arrival, ...bad }), RecordShapeError);
  }
  const weather = SAMPLES.weather[0].value;
  assert.throws(
    () => CONTRACTS.weather.value.parse({ ...weather, status: "hail" }),
    RecordShapeError,
  );
});

Deno.test("the summary has one parser: text and decoded JSON follow the same rules", () => {
  for (
    const text of [
      '{"STATION_ID":40380,"COUNT":7}',
      '{"STATION_ID":40380,"COUNT":7,"extra":1}',
      '{"STATION_ID":"40380","COUNT":7}',
      '{"STATION_ID":40380,"COUNT":1.5}',
      '{"STATION_ID":40380}',
      "[40380, 7]",
      "null",
    ]
  ) {
    let decoded: unknown = null;
    try {
      decoded = TURNSTILE_SUMMARY.value.parse(JSON.parse(text));
    } catch (error) {
      assert.ok(error instanceof RecordShapeError, text);
    }
    assert.deepEqual(parseSummaryValue(text), decoded, text);
  }
});

Deno.test("topic names and compaction come from the contracts, under a namespace", () => {
  const names = Object.values(CONTRACTS).map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  const topics = topicsIn("ns.");
  for (const role of Object.keys(CONTRACTS) as TopicRole[]) {
    assert.equal(topics[role], `ns.${CONTRACTS[role].name}`);
  }
  assert.deepEqual(sorted(COMPACTED_ROLES), [
    "alerts",
    "predictions",
    "stations",
    "stationsTransformed",
    "turnstileSummary",
  ]);
});

Deno.test("dead letters carry the reason, their source and the reader in the documented headers", () => {
  const source = { topic: "t", partition: 2, offset: 9n };
  const headers = deadLetterHeaders("value is not JSON", source, "cta-summary");
  assert.deepEqual(headers, {
    reason: "value is not JSON",
    "source.topic": "t",
    "source.partition": "2",
    "source.offset": "9",
    "consumer.group": "cta-summary",
  });
  assert.deepEqual(deadLetterSource(headers), { topic: "t", partition: 2, offset: "9" });
  // kafkajs delivers header values as Buffers.
  const delivered = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)]),
  );
  assert.deepEqual(deadLetterSource(delivered), { topic: "t", partition: 2, offset: "9" });
  assert.equal(deadLetterGroup(delivered), "cta-summary");
  assert.equal(deadLetterSource({ reason: "x" }), null);
  assert.equal(deadLetterGroup({ reason: "x" }), null);
  const long = deadLetterHeaders("x".repeat(5_000), { topic: "t", partition: 0, offset: "1" }, "g");
  assert.equal(long.reason.length, MAX_REASON_CHARS + 1);
});

Deno.test("min.insync.replicas is 2 once there are three replicas, else 1", () => {
  assert.deepEqual([1, 2, 3, 5].map(minInsyncReplicas), [1, 1, 2, 2]);
});
