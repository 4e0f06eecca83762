/**
 * The turnstile summary with its transactions taken out, for `bench:pixel`'s
 * BENCH_PIXEL_FLOOR=1: the same two hops, fetches, batches and checkpoints, but every write a
 * plain idempotent produce and no group offsets. It is not exactly-once (a restart counts a batch
 * again) and is never to be run for real: it shows what the transactions cost the latency, and
 * what the latency would be without them.
 */
import type { Admin, Kafka } from "kafkajs";
import { kafkajsPorts, sendPerPartition } from "../lib/exactly_once/kafkajs_ports.ts";
import type { EnginePorts, OutputRecord, TransactionalSession } from "../lib/exactly_once/ports.ts";
import { STAGES } from "../lib/stages.ts";
import { runSummaryStage } from "../pipeline/summary/main.ts";

function plainSession(kafka: Kafka): TransactionalSession {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const none = () => Promise.resolve();
  return {
    init: () => producer.connect(),
    begin: none,
    send: (records: OutputRecord[]) => sendPerPartition(producer, records),
    sendOffsets: none,
    commit: none,
    abort: none,
    close: () => producer.disconnect(),
  };
}

export function atLeastOncePorts(kafka: Kafka, admin: Admin): EnginePorts {
  return { ...kafkajsPorts(kafka, admin), session: () => plainSession(kafka) };
}

if (import.meta.main) {
  await runSummaryStage({
    group: STAGES.summary.consumerGroup!,
    concurrency: 3,
    ports: atLeastOncePorts,
  });
}
