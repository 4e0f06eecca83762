import assert from "node:assert/strict";
import { parseProducerPerf, producerPerfSettings } from "./producer_perf.ts";

// As Kafka 4.3.1's kafka-producer-perf-test printed it here, with --warmup-records 500000.
const OUTPUT =
  `Warmup first 500000 records. Steady state results will print after the complete test summary.
722913 records sent, 144553.9 records/sec (5.10 MB/sec), 180.12 ms avg latency, 342.00 ms max latency.
1500000 records sent, 853242.320819 records/sec (30.11 MB/sec), 9.62 ms avg latency, 342.00 ms max latency, 5 ms 50th, 38 ms 95th, 79 ms 99th, 103 ms 99.9th.
1000000 steady state records sent, 1349527.665317 records/sec (47.62 MB/sec), 8.45 ms avg latency, 45.00 ms max latency, 5 ms 50th, 31 ms 95th, 42 ms 99th, 45 ms 99.9th.
`;

Deno.test("the producer benchmark's closing figures are read, not its progress lines", () => {
  assert.deepEqual(parseProducerPerf(OUTPUT), {
    whole: { records: 1_500_000, recordsPerSecond: 853242.320819, avgLatencyMs: 9.62 },
    steady: { records: 1_000_000, recordsPerSecond: 1349527.665317, avgLatencyMs: 8.45 },
  });
  const withoutWarmup = OUTPUT.split("\n").slice(1, 3).join("\n");
  assert.deepEqual(parseProducerPerf(withoutWarmup), {
    whole: { records: 1_500_000, recordsPerSecond: 853242.320819, avgLatencyMs: 9.62 },
  });
  assert.throws(() => parseProducerPerf("Exception in thread main"), /no summary line/);
});

Deno.test("the peer batches as many records of the same size as a simulation request", () => {
  const settings = producerPerfSettings({
    bootstrap: "127.0.0.1:9092",
    topic: "t",
    records: 10,
    warmupRecords: 0,
    recordSize: 37,
    recordsPerBatch: 4_000,
  });
  assert.ok(settings.includes("batch.size=148000"));
  assert.ok(settings.includes("acks=all") && settings.includes("enable.idempotence=true"));
});
