import assert from "node:assert/strict";
import { partitionFor } from "../../lib/partitioned_send.ts";
import type { StationRow } from "../../lib/contracts/stations.ts";
import { type OutputRecord, StationIndex } from "./topology.ts";
import { AppliedOffsets, DeadLetterBook, OutputShare, outputsOf, ownerOf } from "./ownership.ts";
import { projectStationRows } from "../../lib/contracts/station_samples.ts";

const OUTPUT = "org.chicago.cta.stations.transformed";

const stationRows = projectStationRows;

function indexOf(rows: StationRow[]): StationIndex {
  const index = new StationIndex();
  for (const row of rows) index.apply(row.stop_id, row);
  return index;
}

/** One instance's shares: one per input partition it owns, as the stage keeps them. */
function sharesOf(owned: number[], inputs: number, outputs: number): OutputShare[] {
  const partitionOf = (key: string) => partitionFor(OUTPUT, { key, value: null }, outputs);
  return owned.map((p) => new OutputShare(new Set(outputsOf(p, inputs, outputs)), partitionOf));
}

/** What a share holds after reading its output partitions back from `log`. */
function restored(share: OutputShare, log: readonly OutputRecord[]): OutputShare {
  for (const { key, value } of log) if (share.owns(key)) share.restore(key, value);
  return share;
}

Deno.test("every output partition has exactly one owning input partition, whatever the counts", () => {
  for (const [inputs, outputs] of [[3, 3], [1, 3], [3, 1], [2, 5], [6, 4]]) {
    const owners = new Map<number, number>();
    for (let p = 0; p < inputs; p++) {
      for (const q of outputsOf(p, inputs, outputs)) {
        assert.ok(!owners.has(q), `output ${q} owned twice (${inputs}/${outputs})`);
        owners.set(q, p);
        assert.equal(ownerOf(q, inputs), p);
      }
    }
    assert.equal(owners.size, outputs, `${inputs} inputs, ${outputs} outputs`);
  }
});

Deno.test("two instances that start together write each station once between them", () => {
  const index = indexOf(stationRows());
  const desired = index.all();
  const a = sharesOf([0, 2], 3, 3);
  const b = sharesOf([1], 3, 3);
  const written = [...a, ...b].flatMap((share) => share.diff(desired));
  const keys = written.map((r) => r.key);
  assert.equal(keys.length, desired.size, "one record per station and line");
  assert.deepEqual(new Set(keys), new Set(desired.keys()));
  // Both instances have work: the stations spread over the output partitions.
  assert.ok(a.some((s) => s.diff(desired).length > 0));
  assert.ok(b.some((s) => s.diff(desired).length > 0));
});

Deno.test("a partition taken over after a rebalance finds nothing to rewrite; a change is written once", () => {
  const rows = stationRows();
  const index = indexOf(rows);
  // One instance wrote everything while it owned all three input partitions.
  const log: OutputRecord[] = [];
  for (const share of sharesOf([0, 1, 2], 3, 3)) {
    const records = share.diff(index.all());
    share.written(records);
    log.push(...records);
  }
  // A second instance joins and takes input partition 1 over: it reads its share back first.
  const kept = sharesOf([0, 2], 3, 3).map((s) => restored(s, log));
  const taken = sharesOf([1], 3, 3).map((s) => restored(s, log));
  for (const share of [...kept, ...taken]) assert.deepEqual(share.diff(index.all()), []);

  // A renamed station on two lines: each line's record is written by its owner alone.
  const clarkLake = rows.filter((r) => r.station_id === 40380);
  const writes: OutputRecord[] = [];
  for (const row of clarkLake) {
    const affected = index.apply(row.stop_id, { ...row, station_name: "Clark & Lake" });
    for (const share of [...kept, ...taken]) {
      const records = share.diff(index.all(), affected);
      share.written(records);
      writes.push(...records);
    }
  }
  assert.deepEqual(writes.map((r) => JSON.parse(r.value!).line).sort(), ["blue", "green"]);
});

Deno.test("dead letters: a partition's owner writes only those the topic does not hold yet", () => {
  const book = new DeadLetterBook<string>();
  book.add({ partition: 0, offset: "7", reason: "value is not JSON", message: "{" });
  book.add({ partition: 0, offset: "3", reason: "value is not JSON", message: "[" });
  book.add({ partition: 1, offset: "3", reason: "value is not JSON", message: "x" });
  // Another instance already wrote 0@3 before this one took partition 0 over.
  const due = book.due(0, new Set(["0@3"]));
  assert.deepEqual(due.map((l) => l.offset), ["7"]);
  book.written(due);
  assert.deepEqual(book.due(0, new Set()), []);
  assert.deepEqual(book.due(1, new Set()).map((l) => l.message), ["x"]);
});

Deno.test("a consumer that starts again from the beginning does not apply old rows twice", () => {
  const applied = new AppliedOffsets();
  assert.ok(applied.take(0, "0"));
  assert.ok(applied.take(0, "1"));
  assert.ok(applied.take(1, "0"));
  assert.ok(!applied.take(0, "0"));
  assert.ok(!applied.take(0, "1"));
  assert.ok(applied.take(0, "2"));
});
