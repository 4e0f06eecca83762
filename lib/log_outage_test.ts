import assert from "node:assert/strict";
import { BrokerOutages, connectionFailure, followsFromFailure } from "./log_outage.ts";

// Entries kafkajs 2.2.4 wrote, per retry, while its seed broker's port was closed.
const CONNECTION = "Connection error: connect ECONNREFUSED 127.0.0.1:9092";
const BROKER_POOL = "Failed to connect to seed broker, trying another broker from the list: " +
  "Connection error: connect ECONNREFUSED 127.0.0.1:9092";

Deno.test("kafkajs's connection failures are recognised, with the broker from the entry's field", () => {
  assert.deepEqual(connectionFailure(CONNECTION, "localhost:9092"), {
    broker: "localhost:9092",
    reason: "ECONNREFUSED",
  });
  assert.deepEqual(connectionFailure(BROKER_POOL, undefined), { reason: "ECONNREFUSED" });
  assert.deepEqual(connectionFailure("Connection timeout", "b:9092"), {
    broker: "b:9092",
    reason: "Connection timeout",
  });
  assert.equal(connectionFailure("The group is rebalancing, re-joining", undefined), undefined);
  assert.equal(connectionFailure("Offset out of range, resetting", "b:9092"), undefined);
});

Deno.test("crashes, restarts and closed connections follow from a failure", () => {
  assert.ok(followsFromFailure("Crash: KafkaJSNumberOfRetriesExceeded: failed"));
  assert.ok(followsFromFailure("Restarting the consumer in 300ms"));
  assert.ok(followsFromFailure("Closed connection"));
  assert.ok(!followsFromFailure("Offset out of range, resetting to default offset"));
});

Deno.test("an outage writes one warn line, however many retries fail, and one line when over", () => {
  const outages = new BrokerOutages();
  const lines = [];
  for (let retry = 0; retry < 10; retry++) {
    const at = 1_000 + retry * 500;
    lines.push(outages.failed(connectionFailure(CONNECTION, "127.0.0.1:9092")!, at));
    lines.push(outages.failed(connectionFailure(BROKER_POOL, undefined)!, at + 1));
  }
  assert.ok(outages.followed(), "a crash during the outage is quiet");
  const written = lines.filter((line) => line !== undefined);
  assert.deepEqual(written, [{
    level: "warn",
    message: "broker 127.0.0.1:9092 unreachable (ECONNREFUSED); retrying quietly",
  }]);
  assert.equal(outages.connected("127.0.0.1:9093", 14_000), undefined, "another broker");
  assert.deepEqual(outages.connected("127.0.0.1:9092", 13_300), {
    level: "info",
    message: "broker 127.0.0.1:9092 reachable again after 12.3 s, 20 repeated errors suppressed",
  });
  assert.equal(outages.ongoing, 0);
  assert.equal(outages.connected("127.0.0.1:9092", 14_000), undefined, "no outage, no line");
  assert.equal(outages.followed(), false, "no outage: the line is shown");
});

Deno.test("a second outage after recovery is reported again", () => {
  const outages = new BrokerOutages();
  const failure = { broker: "b:1", reason: "ECONNREFUSED" };
  assert.ok(outages.failed(failure, 0));
  outages.connected("b:1", 100);
  assert.ok(outages.failed(failure, 200));
  assert.equal(outages.failed(failure, 300), undefined);
});

Deno.test("two brokers down are two outages; each ends on its own", () => {
  const outages = new BrokerOutages();
  assert.ok(outages.failed({ broker: "a:1", reason: "ECONNREFUSED" }, 0));
  assert.ok(outages.failed({ broker: "b:1", reason: "Connection timeout" }, 10));
  assert.equal(outages.ongoing, 2);
  assert.match(outages.connected("b:1", 2_010)!.message, /^broker b:1 .* after 2\.0 s, 0 /);
  assert.equal(outages.ongoing, 1);
});

Deno.test("an outage no entry named yet is adopted by the first entry that names a broker", () => {
  const outages = new BrokerOutages();
  assert.deepEqual(outages.failed({ reason: "ECONNREFUSED" }, 0), {
    level: "warn",
    message: "Kafka unreachable (ECONNREFUSED); retrying quietly",
  });
  assert.equal(outages.failed({ broker: "a:1", reason: "ECONNREFUSED" }, 5), undefined);
  assert.match(
    outages.connected("a:1", 1_000)!.message,
    /^broker a:1 reachable again after 1\.0 s/,
  );
  assert.equal(outages.ongoing, 0);
});

Deno.test("an unnamed outage ends with the first connection to any broker", () => {
  const outages = new BrokerOutages();
  outages.failed({ reason: "Connection timeout" }, 0);
  assert.match(outages.connected("x:9", 500)!.message, /^Kafka reachable again after 0\.5 s/);
});
