/** Turnstile events for tests and benchmarks: a known number of entries per station. */
import type { Kafka } from "kafkajs";
import type { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import type { Config } from "../lib/config.ts";
import { ensureTopics, topicSpec } from "../lib/admin.ts";
import { registerTopicSchemas } from "../lib/registry.ts";
import { TURNSTILES } from "../lib/contracts/turnstiles.ts";

/** A deterministic spread of `total` entries over `stations` stations (ids from 40000 up). */
export function entriesPerStation(total: number, stations = 90): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < total; i++) {
    // Uneven on purpose: low ids get more entries, as busy stations do.
    const station = 40000 + ((i * 7919) % stations) % (1 + (i % stations));
    counts.set(station, (counts.get(station) ?? 0) + 1);
  }
  return counts;
}

/**
 * Produces the entries, interleaved across stations. Sends go out several at a time (acks=all,
 * not idempotent): a fixture only needs every record written once, which it checks by count.
 */
export async function produceTurnstiles(
  kafka: Kafka,
  registry: SchemaRegistry,
  config: Config,
  entries: Map<number, number>,
  batchSize = 10_000,
): Promise<number> {
  const topic = config.topics.turnstiles;
  await ensureTopics(kafka, config, [topicSpec(config, "turnstiles")]);
  const ids = await registerTopicSchemas(registry, "turnstiles", topic);
  const encodeKey = TURNSTILES.key.encoder(ids.key);
  const encodeValue = TURNSTILES.value.encoder(ids.value);
  const remaining = new Map(entries);
  const producer = kafka.producer({ maxInFlightRequests: 4 });
  await producer.connect();
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  try {
    while (remaining.size > 0) {
      const messages = [];
      for (const [station, left] of remaining) {
        const n = Math.min(left, Math.max(1, Math.floor(batchSize / remaining.size)));
        const key = encodeKey({ station_id: station });
        const value = encodeValue({
          station_id: station,
          station_name: `Station ${station}`,
          line: "red",
        });
        for (let i = 0; i < n; i++) messages.push({ key, value });
        if (left === n) remaining.delete(station);
        else remaining.set(station, left - n);
        if (messages.length >= batchSize) break;
      }
      const send = producer.send({ topic, acks: -1, messages }).then(() => {
        sent += messages.length;
      }).finally(() => inFlight.delete(send));
      inFlight.add(send);
      if (inFlight.size >= 4) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return sent;
}
