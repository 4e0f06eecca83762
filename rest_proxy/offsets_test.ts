import assert from "node:assert/strict";
import { batchBounds, failedOffsets, recordOffsets } from "./offsets.ts";

Deno.test("each record's offset follows its partition's base offset in request order", () => {
  const offsets = recordOffsets([0, 1, 0, 0, 1], new Map([[0, 10], [1, 200]]));
  assert.deepEqual(offsets.map((o) => [o.partition, o.offset]), [
    [0, 10],
    [1, 200],
    [0, 11],
    [0, 12],
    [1, 201],
  ]);
  assert.ok(offsets.every((o) => o.error_code === null && o.error === null));
});

Deno.test("a partition Kafka did not acknowledge is a per-record 50002", () => {
  const [offset] = recordOffsets([3], new Map());
  assert.equal(offset.error_code, 50002);
  assert.equal(offset.offset, null);
});

Deno.test("failed batches carry 50003 when retriable, 50002 otherwise", () => {
  assert.deepEqual(failedOffsets(2, true, "down").map((o) => o.error_code), [50003, 50003]);
  assert.equal(failedOffsets(1, false, "bad")[0].error_code, 50002);
});

Deno.test("batches respect the byte and record limits and cover every record once", () => {
  assert.deepEqual(batchBounds([5, 5, 5, 5], 10, 100), [[0, 2], [2, 4]]);
  assert.deepEqual(batchBounds([5, 5, 5], 100, 2), [[0, 2], [2, 3]]);
  assert.deepEqual(batchBounds([50, 1], 10, 100), [[0, 1], [1, 2]]);
  assert.deepEqual(batchBounds([], 10, 10), []);
});
