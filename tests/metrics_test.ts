/**
 * The stages' /metrics as monitoring reads them: Prometheus itself scrapes a running summary,
 * its linter checks the exposition, and the official Python client's parser reads the figures,
 * which must agree with what the summary wrote.
 */
import assert from "node:assert/strict";
import { createKafka } from "../lib/kafka.ts";
import { createRegistry } from "../lib/registry.ts";
import { ensureTopics } from "../lib/admin.ts";
import { freePort } from "../lib/health.ts";
import { STAGES } from "../lib/stages.ts";
import { configFor, freshNamespace, waitFor } from "./helpers/mod.ts";
import { startStage } from "./helpers/stage.ts";
import { entriesPerStation, produceTurnstiles } from "./turnstile_fixture.ts";
import {
  type MetricSample,
  parseMetricsWithPrometheusClient,
  promtoolCheckMetrics,
  startPrometheus,
} from "./foreign/prometheus.ts";

function sum(samples: MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

Deno.test("the summary's metrics, scraped by Prometheus, count what it committed", async () => {
  const namespace = freshNamespace();
  const config = { ...configFor(namespace), partitions: 3 };
  const kafka = createKafka("metrics-test", config.kafka);
  const expected = entriesPerStation(6_000);
  await produceTurnstiles(kafka, createRegistry(config.registry), config, expected);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: config.topics.turnstiles, messages: [{ value: "not avro" }] });
  await producer.disconnect();
  const inputs = 6_000 + 1;

  const stage = startStage(STAGES.summary, [], {
    TOPIC_NAMESPACE: namespace,
    TOPIC_PARTITIONS: "3",
  });
  const prometheus = await startPrometheus([new URL(stage.healthUrl).host], freePort());
  try {
    let samples: MetricSample[] = [];
    const scrape = async () => {
      const response = await fetch(`${stage.healthUrl}/metrics`);
      const text = await response.text();
      assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      return text;
    };
    await waitFor(
      async () => {
        try {
          samples = await parseMetricsWithPrometheusClient(await scrape());
        } catch {
          return false;
        }
        return sum(samples, "cta_records_in_total", { topic: config.topics.turnstiles }) === inputs;
      },
      90_000,
      `${inputs} turnstile records counted in the metrics`,
    );

    const lint = await promtoolCheckMetrics(await scrape());
    assert.ok(lint.ok, `promtool check metrics: ${lint.says}`);

    const group = `${namespace}turnstile-summary`;
    const partials = `${group}-partial-counts`;
    assert.equal(sum(samples, "cta_dead_letters_total"), 1);
    assert.equal(sum(samples, "cta_ready"), 1);
    // Every partial count written by the first hop is read by the second.
    await waitFor(
      async () => {
        samples = await parseMetricsWithPrometheusClient(await scrape());
        return sum(samples, "cta_records_in_total", { topic: partials }) ===
          sum(samples, "cta_records_out_total", { topic: partials });
      },
      30_000,
      "the partial counts read back",
    );
    const committed = sum(samples, "cta_transactions_total", { outcome: "committed" });
    assert.ok(committed > 0);
    assert.equal(sum(samples, "cta_transaction_seconds_count"), committed);
    assert.ok(sum(samples, "cta_restore_seconds_count") >= 6, "six tasks restored");
    assert.ok(samples.every((s) => s.labels.stage === "summary"));

    // Prometheus scraped the same endpoint and holds the same total.
    await waitFor(
      async () => {
        const result = await prometheus.query(
          `sum(cta_records_in_total{stage="summary",topic="${config.topics.turnstiles}"})`,
        );
        return result.length === 1 && result[0].value === inputs;
      },
      30_000,
      "Prometheus to have scraped the total",
    );
  } finally {
    await prometheus.stop();
    assert.equal(await stage.kill("SIGTERM"), 0);
  }
});

Deno.test("the REST proxy answers /readyz and counts the records Kafka acknowledged", async () => {
  const namespace = freshNamespace();
  const config = configFor(namespace);
  const kafka = createKafka("metrics-test", config.kafka);
  const topic = `${namespace}proxied`;
  await ensureTopics(kafka, config, [{ topic, partitions: 2 }]);
  const port = freePort();
  const stage = startStage(STAGES.restProxy, [], {
    REST_PROXY_HOST: "127.0.0.1",
    REST_PROXY_PORT: String(port),
  });
  try {
    await stage.waitReady(30_000);
    const response = await fetch(`http://127.0.0.1:${port}/topics/${topic}`, {
      method: "POST",
      headers: { "content-type": "application/vnd.kafka.json.v2+json" },
      body: JSON.stringify({ records: [1, 2, 3, 4, 5].map((n) => ({ value: { n } })) }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    await response.body?.cancel();
    const text = await (await fetch(`${stage.healthUrl}/metrics`)).text();
    const samples = await parseMetricsWithPrometheusClient(text);
    assert.equal(sum(samples, "cta_records_out_total", { topic }), 5);
    assert.equal(sum(samples, "cta_ready"), 1);
    assert.ok(samples.every((s) => s.labels.stage === "rest-proxy"));
    const lint = await promtoolCheckMetrics(text);
    assert.ok(lint.ok, `promtool check metrics: ${lint.says}`);
  } finally {
    assert.equal(await stage.kill("SIGTERM"), 0);
  }
});
