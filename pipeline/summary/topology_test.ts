/**
 * The turnstile summary through the broker-free driver: both hops, the engine's transactions,
 * fencing and checkpoints, with a fault injected at every broker call.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type avro from "avsc";
import { ExactlyOnceEngine } from "../../lib/exactly_once/engine.ts";
import { MemoryBroker, MemoryConsumer } from "../../lib/exactly_once/memory_broker.ts";
import { AvroDecoder, frame } from "../../lib/contracts/wire_format.ts";
import { TURNSTILES } from "../../lib/contracts/turnstiles.ts";
import { parseSummaryValue } from "../../lib/contracts/turnstile_summary.ts";
import { DEAD_LETTER_HEADERS } from "../../lib/contracts/dead_letters.ts";
import { Random } from "../sim/prng.ts";
import { countsHop, entriesHop, type SummaryTopics } from "./topology.ts";
import { stationDecoder } from "./decode.ts";
import { restartProblem } from "./restart_check.ts";

const TOPICS: SummaryTopics = {
  turnstiles: "turnstiles",
  partialCounts: "g-partial-counts",
  entriesCheckpoints: "g-entries-checkpoints",
  countsCheckpoints: "g-counts-checkpoints",
  summary: "TURNSTILE_SUMMARY",
  deadLetters: "turnstiles.dlq",
};
const PARTITIONS = 3;
const SCHEMA_ID = 7;
const valueType = TURNSTILES.value.schema.type;

/** A registry that knows one schema and can be made to fail like one that is down. */
class TestRegistry {
  failuresLeft = 0;
  calls = 0;
  getSchema(id: number): Promise<avro.Type> {
    this.calls++;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { status: 400 }));
    }
    if (id !== SCHEMA_ID) {
      return Promise.reject(
        Object.assign(new Error("Schema not found (40403)"), { status: 404 }),
      );
    }
    return Promise.resolve(valueType);
  }
}

const encodeEvent = TURNSTILES.value.encoder(SCHEMA_ID);

function event(stationId: number): Buffer {
  return encodeEvent({ station_id: stationId, station_name: "X", line: "red" });
}

function newBroker(inputPartitions = PARTITIONS): MemoryBroker {
  const broker = new MemoryBroker();
  broker.createTopic(TOPICS.turnstiles, inputPartitions);
  broker.createTopic(TOPICS.partialCounts, PARTITIONS);
  broker.createTopic(TOPICS.summary, PARTITIONS);
  broker.createTopic(TOPICS.countsCheckpoints, PARTITIONS);
  broker.createTopic(TOPICS.entriesCheckpoints, inputPartitions);
  broker.createTopic(TOPICS.deadLetters, 1, 2 * 1024 * 1024);
  return broker;
}

function newInstance(broker: MemoryBroker, registry = new TestRegistry(), group = "g") {
  const decode = stationDecoder(new AvroDecoder(registry));
  const engine = new ExactlyOnceEngine(
    broker.ports(),
    // deno-lint-ignore no-explicit-any
    [entriesHop(TOPICS, decode, PARTITIONS) as any, countsHop(TOPICS) as any],
    { group, log: () => {} },
  );
  return { engine, consumer: new MemoryConsumer(broker, engine, 40), registry };
}

/** Events spread over the input partitions at random, as null keys or a foreign hash do. */
function produceEvents(broker: MemoryBroker, total: number, seed: number, stations = 12) {
  const random = new Random(seed);
  const expected = new Map<number, number>();
  const partitions = broker.partitionCount(TOPICS.turnstiles);
  for (let i = 0; i < total; i++) {
    const station = 40000 + random.int(0, stations - 1) * 10;
    broker.produce(TOPICS.turnstiles, random.int(0, partitions - 1), null, event(station));
    expected.set(station, (expected.get(station) ?? 0) + 1);
  }
  return expected;
}

/** The summary as a reader sees it, and the check that every station has exactly one row. */
function summaryOf(broker: MemoryBroker): Map<number, number> {
  const partitionsOf = new Map<string, Set<number>>();
  for (let p = 0; p < PARTITIONS; p++) {
    for (const r of broker.readCommitted(TOPICS.summary, p)) {
      const key = r.key!.toString();
      partitionsOf.set(key, (partitionsOf.get(key) ?? new Set()).add(p));
    }
  }
  for (const [key, partitions] of partitionsOf) {
    assert.equal(partitions.size, 1, `station ${key} has rows in partitions ${[...partitions]}`);
  }
  const counts = new Map<number, number>();
  for (const { value } of broker.table(TOPICS.summary).values()) {
    const row = parseSummaryValue(value);
    if (row) counts.set(row.STATION_ID, row.COUNT);
  }
  return counts;
}

function sorted(counts: Map<number, number>): [number, number][] {
  return [...counts].sort(([a], [b]) => a - b);
}

function deadLetters(broker: MemoryBroker) {
  return broker.readCommitted(TOPICS.deadLetters, 0);
}

Deno.test("counts are exact, one row per station, wherever the producer put each event", async () => {
  const broker = newBroker();
  const expected = produceEvents(broker, 3_000, 1);
  const { consumer } = newInstance(broker);
  await consumer.assignAll();
  await consumer.drain();
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
  assert.equal(deadLetters(broker).length, 0);
  // Pre-aggregated: far fewer partial counts than events.
  let partials = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    partials += broker.readCommitted(TOPICS.partialCounts, p).length;
  }
  assert.ok(partials < 3_000 / 3, `${partials} partial counts for 3,000 events`);
});

Deno.test("a fault at any broker call, before or after it takes effect, changes no count", async () => {
  const run = async (fault?: { at: number; timing: "before" | "after" }) => {
    const broker = newBroker();
    const expected = produceEvents(broker, 400, 2, 5);
    const { consumer, engine } = newInstance(broker);
    await consumer.assignAll();
    if (fault) broker.failCall(fault.at, fault.timing);
    await consumer.drain();
    return { broker, expected, engine };
  };
  const clean = await run();
  const calls = clean.broker.calls.length;
  assert.ok(calls > 50, `only ${calls} broker calls`);
  let faults = 0;
  for (let at = 0; at < calls; at++) {
    for (const timing of ["before", "after"] as const) {
      const { broker, expected, engine } = await run({ at, timing });
      const where = `${timing} call ${at} (${broker.calls[at]})`;
      assert.deepEqual(sorted(summaryOf(broker)), sorted(expected), where);
      assert.equal(deadLetters(broker).length, 0, where);
      assert.equal(broker.regressions, 0, where);
      faults += engine.stats.retries;
    }
  }
  assert.ok(faults >= calls, `${faults} retries for ${calls * 2} injected faults`);
});

Deno.test("a registry that is down is retried, and no good record reaches the DLQ", async () => {
  const broker = newBroker();
  const expected = produceEvents(broker, 500, 3);
  const registry = new TestRegistry();
  registry.failuresLeft = 6;
  const { consumer, engine } = newInstance(broker, registry);
  await consumer.assignAll();
  await consumer.drain();
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
  assert.equal(deadLetters(broker).length, 0);
  assert.ok(engine.stats.retries >= 1);
  assert.equal(registry.failuresLeft, 0);
});

Deno.test("only undecodable records go to the DLQ, with their reason and source", async () => {
  const broker = newBroker();
  const expected = produceEvents(broker, 200, 4);
  broker.produce(TOPICS.turnstiles, 1, "k", "not avro at all");
  broker.produce(TOPICS.turnstiles, 1, null, Buffer.from([0, 0, 0, 0, 99, 1, 2]));
  broker.produce(TOPICS.turnstiles, 2, null, null);
  broker.produce(TOPICS.turnstiles, 2, null, frame(SCHEMA_ID, Buffer.from([1, 2, 3])));
  broker.produce(TOPICS.turnstiles, 0, null, event(-5));
  const { consumer } = newInstance(broker);
  await consumer.assignAll();
  await consumer.drain();
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
  const dead = deadLetters(broker);
  const reasons = dead.map((d) => d.headers[DEAD_LETTER_HEADERS.reason]);
  assert.equal(dead.length, 5, reasons.join("\n"));
  assert.ok(reasons.some((r) => /magic byte/.test(r)));
  assert.ok(reasons.some((r) => /schema id 99 not found/.test(r)));
  assert.ok(reasons.some((r) => /empty/.test(r)));
  assert.ok(reasons.some((r) => /not a valid value of schema 7/.test(r)));
  assert.ok(reasons.some((r) => /positive integer/.test(r)));
  for (const d of dead) {
    assert.equal(d.headers[DEAD_LETTER_HEADERS.sourceTopic], TOPICS.turnstiles);
    assert.match(d.headers[DEAD_LETTER_HEADERS.sourceOffset], /^\d+$/);
  }
});

Deno.test("thousands of bad records and records near the message size all reach the DLQ", async () => {
  const broker = newBroker();
  broker.topics.get(TOPICS.deadLetters)!.maxMessageBytes = 1_048_588;
  const expected = produceEvents(broker, 300, 5);
  const random = new Random(5);
  for (let i = 0; i < 10_000; i++) {
    const garbage = Buffer.from(
      Array.from({ length: random.int(1, 200) }, () => random.int(1, 255)),
    );
    broker.produce(TOPICS.turnstiles, random.int(0, PARTITIONS - 1), garbage, garbage);
  }
  for (let i = 0; i < 3; i++) {
    broker.produce(TOPICS.turnstiles, i, "big", Buffer.alloc(1_048_000 - i, 7));
  }
  const { consumer } = newInstance(broker);
  await consumer.assignAll();
  await consumer.drain();
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
  const dead = deadLetters(broker);
  assert.equal(dead.length, 10_003);
  assert.equal(broker.tooLarge, 0, "a send exceeded the message size");
  const cut = dead.filter((d) => d.headers[DEAD_LETTER_HEADERS.valueTruncatedFrom] !== undefined);
  assert.equal(cut.length, 3);
});

Deno.test("lost group offsets neither count twice nor stall: the checkpoints rule", async () => {
  const broker = newBroker();
  const expected = produceEvents(broker, 600, 6);
  const first = newInstance(broker);
  await first.consumer.assignAll();
  await first.consumer.drain();
  await first.engine.close();
  broker.deleteGroup("g");
  broker.deleteGroup("g-counts");
  const more = produceEvents(broker, 300, 7);
  for (const [s, n] of more) expected.set(s, (expected.get(s) ?? 0) + n);
  const second = newInstance(broker);
  await second.consumer.assignAll();
  await second.consumer.drain();
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
});

Deno.test("each hop commits its input's offsets to a consumer group of its own", async () => {
  const broker = newBroker();
  produceEvents(broker, 300, 9);
  const { consumer } = newInstance(broker);
  await consumer.assignAll();
  await consumer.drain();
  for (let p = 0; p < PARTITIONS; p++) {
    const end = broker.readCommitted(TOPICS.turnstiles, p).at(-1)!.offset + 1n;
    assert.equal(broker.committedOffset("g", TOPICS.turnstiles, p), end, `turnstiles[${p}]`);
    assert.ok(broker.committedOffset("g-counts", TOPICS.partialCounts, p)! > 0n);
    assert.equal(broker.committedOffset("g", TOPICS.partialCounts, p), undefined);
    assert.equal(broker.committedOffset("g-counts", TOPICS.turnstiles, p), undefined);
  }
});

Deno.test("a batch wholly below the checkpoint moves the position on", async () => {
  const broker = newBroker(1);
  produceEvents(broker, 50, 8);
  const { engine, consumer } = newInstance(broker);
  await consumer.assignAll();
  await consumer.drain();
  const records = broker.readCommitted(TOPICS.turnstiles, 0).slice(0, 10)
    .map((r) => ({ offset: r.offset, key: r.key, value: r.value }));
  const fresh = newInstance(broker).engine;
  const resolved = await fresh.handleBatch(TOPICS.turnstiles, 0, records, {
    heartbeat: () => Promise.resolve(),
    isActive: () => true,
  });
  assert.equal(resolved, records[9].offset);
  assert.equal(fresh.stats.transactions, 0);
  await engine.close();
});

Deno.test("a zombie that lost its partitions is fenced, rejoins and never moves offsets back", async () => {
  const broker = newBroker();
  const expected = produceEvents(broker, 900, 9);
  const zombie = newInstance(broker);
  await zombie.consumer.assignAll();
  await zombie.consumer.poll();
  // The zombie stops heartbeating; the group gives everything to a new member.
  const successor = newInstance(broker);
  await successor.consumer.assignAll();
  await successor.consumer.poll();
  // The zombie wakes up still believing it owns its partitions: every commit is fenced, and its
  // heartbeat tells it the group has moved on.
  let rejoins = 0;
  const handed = await zombie.consumer.poll({
    heartbeat: () => {
      rejoins++;
      return Promise.reject(new Error("The group is rebalancing"));
    },
  }).catch((error) => error);
  assert.match(String(handed), /rebalancing/);
  assert.ok(rejoins >= 1);
  await zombie.consumer.assign({});
  await successor.consumer.drain();
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
  assert.equal(broker.regressions, 0);
});

Deno.test("partitions added to the input mid-run are counted, and their checkpoints found", async () => {
  const broker = newBroker();
  const expected = produceEvents(broker, 300, 10);
  const { consumer } = newInstance(broker);
  await consumer.assignAll();
  await consumer.drain();
  broker.addPartitions(TOPICS.turnstiles, 5);
  const more = produceEvents(broker, 500, 11);
  for (const [s, n] of more) expected.set(s, (expected.get(s) ?? 0) + n);
  await consumer.assignAll();
  await consumer.drain();
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
  assert.ok(broker.partitionCount(TOPICS.entriesCheckpoints) >= 5);
  assert.ok(broker.readCommitted(TOPICS.entriesCheckpoints, 4).length > 0);
});

Deno.test("two instances share the partitions and the totals stay exact", async () => {
  const broker = newBroker();
  const expected = produceEvents(broker, 1_200, 12);
  const a = newInstance(broker);
  const b = newInstance(broker);
  await a.consumer.assign({ [TOPICS.turnstiles]: [0, 2], [TOPICS.partialCounts]: [1] });
  await b.consumer.assign({ [TOPICS.turnstiles]: [1], [TOPICS.partialCounts]: [0, 2] });
  for (let round = 0; round < 1_000; round++) {
    if (await a.consumer.poll() + await b.consumer.poll() === 0) break;
  }
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
  assert.ok(a.engine.stats.transactions > 0 && b.engine.stats.transactions > 0);
});

Deno.test("committed partial counts are purged from the repartition topic", async () => {
  const broker = newBroker();
  produceEvents(broker, 300, 13);
  const { consumer } = newInstance(broker);
  await consumer.assignAll();
  await consumer.drain();
  let purged = 0n;
  for (let p = 0; p < PARTITIONS; p++) purged += broker.logStart(TOPICS.partialCounts, p);
  assert.ok(purged > 0n);
});

Deno.test("a stage refuses to count again what its output already holds without checkpoints", () => {
  const names = {
    group: "g",
    summary: "S",
    countsCheckpoints: "g-c",
    partialCounts: "g-p",
    entriesCheckpoints: "g-e",
  };
  const none = { summary: 0n, countsCheckpoints: 0n, partialCounts: 0n, entriesCheckpoints: 0n };
  assert.equal(restartProblem(none, names), null);
  assert.equal(
    restartProblem({
      summary: 9n,
      countsCheckpoints: 4n,
      partialCounts: 3n,
      entriesCheckpoints: 2n,
    }, names),
    null,
  );
  assert.match(restartProblem({ ...none, summary: 9n }, names)!, /group g has no record/);
  assert.match(restartProblem({ ...none, partialCounts: 3n }, names)!, /g-e is empty/);
});

Deno.test("an instance is ready once every assigned partition's task is open", async () => {
  const broker = newBroker();
  const { engine, consumer } = newInstance(broker);
  assert.equal(engine.ready(), false, "ready before any assignment");
  broker.failCall(0, "before");
  await consumer.assignAll();
  assert.equal(engine.ready(), false, "ready with a task that failed to open");
  produceEvents(broker, 30, 14);
  await consumer.drain();
  assert.equal(engine.ready(), true);
  // A rebalance that moves a partition here whose task cannot open yet.
  await consumer.assign({ [TOPICS.turnstiles]: [0] });
  broker.failCall(0, "before");
  await consumer.assign({ [TOPICS.turnstiles]: [0, 1], [TOPICS.partialCounts]: [2] });
  assert.equal(engine.ready(), false, "ready with a task that failed to open after a rebalance");
});

Deno.test("a task that fails to open is logged, and a second assignment opens it", async () => {
  const broker = newBroker();
  const lines: string[] = [];
  const engine = new ExactlyOnceEngine(
    broker.ports(),
    // deno-lint-ignore no-explicit-any
    [entriesHop(TOPICS, stationDecoder(new AvroDecoder(new TestRegistry())), PARTITIONS) as any],
    { group: "g", log: (line, level) => lines.push(`${level} ${line}`) },
  );
  const assignment = { [TOPICS.turnstiles]: [0, 1, 2] };
  broker.failCall(0, "before");
  await engine.assign(assignment);
  assert.equal(engine.opened(TOPICS.turnstiles), false);
  assert.ok(
    lines.some((l) => /^warn entries: .*\[\d\] not opened yet: /.test(l)),
    lines.join("\n"),
  );
  await engine.assign(assignment);
  assert.equal(engine.opened(TOPICS.turnstiles), true);
  assert.equal(engine.ready(), true);
});

Deno.test("keys are not what groups: the same station under two key schemas is one row", async () => {
  const broker = newBroker();
  const expected = new Map<number, number>([[40380, 0], [40020, 0]]);
  for (let i = 0; i < 200; i++) {
    const station = i % 3 === 0 ? 40020 : 40380;
    // The key schema registered again under a new id: the key bytes, and so the partition, change.
    const key = TURNSTILES.key.encoder(i < 100 ? 1 : 2)({ station_id: station });
    broker.produce(TOPICS.turnstiles, i < 100 ? 0 : 2, key, event(station));
    expected.set(station, expected.get(station)! + 1);
  }
  const { consumer } = newInstance(broker);
  await consumer.assignAll();
  await consumer.drain();
  assert.deepEqual(sorted(summaryOf(broker)), sorted(expected));
});
