import assert from "node:assert/strict";
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import type { Direction, TrainStatus } from "../../lib/contracts/enums.ts";
import { PREDICTIONS } from "../../lib/contracts/predictions.ts";
import { ALERTS } from "../../lib/contracts/alerts.ts";
import { type OutputRecord, PredictionsTopology, replayWindow } from "./stage.ts";

const MIN = 60_000;
const T0 = Date.parse("2026-11-27T00:00:00Z");
const TOPICS = { predictions: "p", alerts: "al" };

function arrival(
  train_id: string,
  station_id: number,
  direction: Direction,
  minute: number,
  prev: number | null,
  status: TrainStatus = "in_service",
): ArrivalValue {
  return {
    station_id,
    train_id,
    direction,
    line: "green",
    train_status: status,
    prev_station_id: prev,
    prev_direction: prev === null ? null : direction,
    event_time: T0 + minute * MIN,
  };
}

function topology(): PredictionsTopology {
  const t = new PredictionsTopology(TOPICS, { staleAfterMs: 15 * MIN, removeAfterMs: 30 * MIN }, {
    gapAfterMs: 60 * MIN,
  });
  t.model.setLine("green", [1, 2, 3].map((id) => ({ station_id: id, station_name: `S${id}` })));
  return t;
}

/** Writes the changes and returns them. */
function step(t: PredictionsTopology, arrivals: ArrivalValue[]): OutputRecord[] {
  t.apply(arrivals);
  const records = t.changes();
  t.written(records);
  return records;
}

const keysOf = (records: OutputRecord[], topic: string) =>
  records.filter((r) => r.topic === topic).map((r) => r.key).sort();

Deno.test("the first batch writes every platform some train reaches; the next only those that changed", () => {
  const t = topology();
  const first = step(t, [arrival("GL000", 1, "b", 0, null)]);
  assert.equal(keysOf(first, "p").length, 4, "2(n − 1) platforms");
  for (const r of first) {
    const board = PREDICTIONS.value.parse(JSON.parse(r.value!));
    assert.deepEqual(PREDICTIONS.key.parse(JSON.parse(r.key)), {
      station_id: board.station_id,
      line: board.line,
      direction: board.direction,
    });
  }
  assert.deepEqual(step(t, []), [], "nothing new, nothing written");
  // A second train changes every board it joins.
  const second = step(t, [arrival("GL001", 3, "a", 0, null)]);
  assert.equal(keysOf(second, "p").length, 4);
  assert.deepEqual(step(t, [arrival("GL001", 3, "a", 0, null)]), [], "a duplicate changes nothing");
});

Deno.test("a platform no train will reach any more is emptied with a tombstone", () => {
  const t = topology();
  step(t, [arrival("GL000", 1, "b", 0, null)]);
  const records = step(t, [arrival("GL001", 1, "b", 15, null)]); // GL000 is stale now
  assert.equal(records.filter((r) => r.value === null).length, 0, "GL001 reaches them all");
  const boards = records.map((r) => PREDICTIONS.value.parse(JSON.parse(r.value!)));
  assert.ok(boards.every((b) => b.arrivals.every((a) => a.train_id === "GL001")));
  t.model.setLine("green", [1, 2].map((id) => ({ station_id: id, station_name: `S${id}` })));
  const shorter = step(t, []);
  assert.deepEqual(
    shorter.filter((r) => r.value === null).map((r) => JSON.parse(r.key)),
    [{ station_id: 2, line: "green", direction: "b" }, {
      station_id: 3,
      line: "green",
      direction: "a",
    }],
  );
});

Deno.test("a break-down is raised once and cleared with a tombstone", () => {
  const t = topology();
  step(t, [arrival("GL000", 1, "b", 0, null), arrival("GL001", 3, "a", 0, null)]);
  const raised = step(t, [arrival("GL000", 1, "b", 5, 1, "broken_down")]);
  assert.deepEqual(keysOf(raised, "al"), [JSON.stringify({ alert_id: "breakdown:GL000" })]);
  const alert = ALERTS.value.parse(JSON.parse(raised.find((r) => r.topic === "al")!.value!));
  assert.equal(alert.raised_at, T0 + 5 * MIN);
  const held = step(t, [arrival("GL000", 1, "b", 10, 1, "broken_down")]);
  assert.deepEqual(keysOf(held, "al"), [], "the same alert is not written again");
  const cleared = step(t, [arrival("GL000", 2, "b", 15, 1)]);
  assert.deepEqual(cleared.filter((r) => r.topic === "al"), [{
    topic: "al",
    key: JSON.stringify({ alert_id: "breakdown:GL000" }),
    value: null,
  }]);
});

Deno.test("after a take-over, what the topics hold is restored and only the difference is written", () => {
  const before = topology();
  const arrivals = [
    arrival("GL000", 1, "b", 0, null),
    arrival("GL001", 2, "b", 0, null, "broken_down"),
  ];
  const written = step(before, arrivals);
  assert.ok(written.some((r) => r.topic === "al"));

  const after = topology();
  for (const r of written) after.restore(r.topic, r.key, r.value);
  // A stale board and alert left by an earlier owner, under keys spelled differently.
  after.restore("p", '{"line":"red","direction":"a","station_id":7}', '{"not":"a board"}');
  after.restore("al", '{"alert_id":"breakdown:RL009"}', "{}");
  after.restore("al", "not json", "{}");
  after.apply(arrivals);
  assert.deepEqual(after.changes(), [
    {
      topic: "p",
      key: JSON.stringify({ station_id: 7, line: "red", direction: "a" }),
      value: null,
    },
    { topic: "al", key: JSON.stringify({ alert_id: "breakdown:RL009" }), value: null },
  ]);
});

Deno.test("apply counts what each arrival did", () => {
  const t = topology();
  const counts = t.apply([
    arrival("GL000", 1, "b", 0, null),
    arrival("GL000", 1, "b", 0, null),
    { ...arrival("GL001", 1, "b", 0, null), event_time: null },
    arrival("GL002", 1, "b", 40, null),
  ]);
  assert.deepEqual(counts, { applied: 2, duplicate: 1, no_event_time: 1, too_old: 0, removed: 1 });
});

Deno.test("a take-over replays the window before the committed offset; a new group the last window", () => {
  const window = (low: bigint, end: bigint, committed: bigint) =>
    replayWindow({ low, end, committed }, 100n);
  assert.deepEqual(window(0n, 500n, 450n), { replayFrom: 350n, resumeAt: 450n });
  assert.deepEqual(window(400n, 500n, 450n), { replayFrom: 400n, resumeAt: 450n }, "from the low");
  assert.deepEqual(
    window(0n, 500n, 900n),
    { replayFrom: 400n, resumeAt: 500n },
    "not past the end",
  );
  assert.deepEqual(window(0n, 500n, -1n), { replayFrom: 400n, resumeAt: 400n }, "no offset");
  assert.deepEqual(window(450n, 500n, 100n), { replayFrom: 450n, resumeAt: 450n }, "expired");
  assert.deepEqual(window(0n, 0n, -1n), { replayFrom: 0n, resumeAt: 0n });
});
