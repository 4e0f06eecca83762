/** Every topic of the system, named once. See DESIGN.md, "Topics (contracts)". */

const BASE_TOPICS = {
  stations: "org.chicago.cta.stations",
  stationsTransformed: "org.chicago.cta.stations.transformed",
  arrivals: "org.chicago.cta.station.arrivals",
  turnstiles: "org.chicago.cta.turnstiles",
  weather: "weather",
  turnstileSummary: "TURNSTILE_SUMMARY",
} as const;

export type TopicRole = keyof typeof BASE_TOPICS;
export type Topics = Record<TopicRole, string>;

/** The contract's topic names. */
export const TOPICS: Topics = BASE_TOPICS;

/**
 * The topic names under a namespace prefix (empty in production). Tests use a fresh namespace
 * so that runs never see each other's records; `TOPIC_NAMESPACE` sets it for every stage.
 */
export function topicsIn(namespace: string): Topics {
  const entries = Object.entries(BASE_TOPICS).map(([role, name]) => [role, namespace + name]);
  return Object.fromEntries(entries) as Topics;
}

/** Where a stage puts input it cannot process, with the reason in a header. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Avro schema files under schemas/, by topic role. Subjects follow the topic-name strategy. */
export const AVRO_SCHEMAS = {
  arrivals: { key: "arrival_key.avsc", value: "arrival_value.avsc" },
  turnstiles: { key: "turnstile_key.avsc", value: "turnstile_value.avsc" },
  weather: { key: "weather_key.avsc", value: "weather_value.avsc" },
} as const;

export type AvroRole = keyof typeof AVRO_SCHEMAS;

export function subject(topic: string, part: "key" | "value"): string {
  return `${topic}-${part}`;
}

/** Roles whose latest value per key is the state; their topics are created compacted. */
export const COMPACTED_ROLES: readonly TopicRole[] = [
  "stations",
  "stationsTransformed",
  "turnstileSummary",
];

export const LINES = ["red", "blue", "green"] as const;
export type Line = typeof LINES[number];
export const DIRECTIONS = ["a", "b"] as const;
export type Direction = typeof DIRECTIONS[number];
