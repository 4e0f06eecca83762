/**
 * Every topic of the system, by role: its contract, its name under a namespace, and the settings
 * it is created with. See DESIGN.md, "Topics (contracts)".
 */
import { ALERTS } from "./alerts.ts";
import { ARRIVALS } from "./arrivals.ts";
import { PREDICTIONS } from "./predictions.ts";
import { STATIONS } from "./stations.ts";
import { STATIONS_TRANSFORMED } from "./stations_transformed.ts";
import { TURNSTILE_SUMMARY } from "./turnstile_summary.ts";
import { TURNSTILES } from "./turnstiles.ts";
import { WEATHER } from "./weather.ts";

export const CONTRACTS = {
  stations: STATIONS,
  stationsTransformed: STATIONS_TRANSFORMED,
  arrivals: ARRIVALS,
  turnstiles: TURNSTILES,
  weather: WEATHER,
  turnstileSummary: TURNSTILE_SUMMARY,
  predictions: PREDICTIONS,
  alerts: ALERTS,
} as const;

/** The topics whose keys and values are Avro, with schemas registered under their subjects. */
export const AVRO_CONTRACTS = {
  arrivals: ARRIVALS,
  turnstiles: TURNSTILES,
  weather: WEATHER,
} as const;

export type TopicRole = keyof typeof CONTRACTS;
export type AvroRole = keyof typeof AVRO_CONTRACTS;
export type Topics = Record<TopicRole, string>;

const ROLES = Object.keys(CONTRACTS) as TopicRole[];

/**
 * The topic names under a namespace prefix (empty in production). Tests use a fresh namespace
 * so that runs never see each other's records; `TOPIC_NAMESPACE` sets it for every stage.
 */
export function topicsIn(namespace: string): Topics {
  return Object.fromEntries(
    ROLES.map((role) => [role, namespace + CONTRACTS[role].name]),
  ) as Topics;
}

/** The contract's topic names. */
export const TOPICS: Topics = topicsIn("");

/** Roles whose latest value per key is the state; their topics are created compacted. */
export const COMPACTED_ROLES: readonly TopicRole[] = ROLES.filter((r) => CONTRACTS[r].compacted);

/** The registry subject of a topic's key or value (the topic-name strategy). */
export function subject(topic: string, part: "key" | "value"): string {
  return `${topic}-${part}`;
}

/** `min.insync.replicas` for a replication factor: with three replicas or more, two must ack. */
export function minInsyncReplicas(replicationFactor: number): number {
  return replicationFactor >= 3 ? 2 : 1;
}
