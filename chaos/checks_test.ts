import assert from "node:assert/strict";
import {
  compareCounts,
  compareDeadLetters,
  compareRename,
  compareStations,
  compareWeather,
  drawRename,
  expectedStations,
  latestByKey,
  runningCheck,
  simulationCheck,
} from "./checks.ts";
import type { StationRow } from "../lib/contracts/stations.ts";
import { projectStationRows } from "../lib/contracts/station_samples.ts";
import { Random } from "../pipeline/sim/prng.ts";

Deno.test("counts pass only when every station is exactly equal", () => {
  const expected = new Map([[40380, 12], [40020, 3]]);
  assert.equal(compareCounts("c", expected, new Map([[40380, 12], [40020, 3]])).ok, true);
  const short = compareCounts("c", expected, new Map([[40380, 11], [40020, 3]]));
  assert.equal(short.ok, false);
  assert.match(short.detail, /40380: expected 12, got 11/);
  assert.equal(compareCounts("c", expected, new Map([[40380, 12]])).ok, false);
  assert.equal(
    compareCounts("c", expected, new Map([[40380, 12], [40020, 3], [1, 1]])).ok,
    false,
    "a station that was never produced must not have a count",
  );
});

Deno.test("a missing weather reading fails, a repeated one does not", () => {
  assert.equal(compareWeather([1, 2, 3], [3, 1, 2, 2]).ok, true);
  const missing = compareWeather([1, 2, 3], [1, 3]);
  assert.equal(missing.ok, false);
  assert.match(missing.detail, /1 of 3 missing: 2/);
  assert.equal(compareWeather([], []).ok, false, "a run without readings proves nothing");
});

const row = (stop: number, station: number, name: string, lines: Partial<StationRow>) => ({
  stop_id: stop,
  station_id: station,
  station_name: name,
  order: 1,
  red: false,
  blue: false,
  green: false,
  ...lines,
});

Deno.test("the expected stations carry the rename, and the topic must match them exactly", () => {
  const rows = [
    row(1, 100, "Clark/Lake", { blue: true, green: true }),
    row(2, 100, "Clark/Lake", { blue: true }),
    row(3, 200, "Harlem", { green: true }),
  ];
  const rename = { stationId: 100, name: "Clark/Lake (chaos 1)" };
  const wanted = expectedStations(rows, rename);
  assert.equal(wanted.size, 3);
  const records = [...wanted].map(([key, s]) => ({ key, value: JSON.stringify(s) }));
  const old = records.map((r) => ({ ...r, value: r.value.replace(" (chaos 1)", "") }));
  assert.equal(compareStations(wanted, latestByKey([...old, ...records])).ok, true);
  assert.equal(compareStations(wanted, latestByKey(old)).ok, false);
  const withTombstone = [...records, { key: records[2].key, value: null }];
  assert.equal(compareStations(wanted, latestByKey(withTombstone)).ok, false);
  assert.equal(compareRename([...old, ...records], rename, 2).ok, true);
  assert.equal(compareRename([...old, ...records, records[0]], rename, 2).ok, false);
});

Deno.test("a dead-letter topic may hold only what was injected, from each reader", () => {
  const once = [{ group: "s", delivery: "exactly once" as const }];
  const letters = (group: string | null, ...values: string[]) =>
    values.map((value) => ({ value, group }));
  assert.equal(compareDeadLetters("t.dlq", ["a", "b"], once, letters("s", "b", "a")).ok, true);
  assert.equal(
    compareDeadLetters("t.dlq", ["a", "b"], once, letters("s", "a", "b", "x")).ok,
    false,
  );
  assert.equal(
    compareDeadLetters("t.dlq", ["a", "b"], once, letters("s", "a", "b", "b")).ok,
    false,
  );
  assert.equal(compareDeadLetters("t.dlq", ["a", "b"], once, letters("s", "a")).ok, false);
  assert.equal(compareDeadLetters("t.dlq", [], once, []).ok, true);
  assert.equal(compareDeadLetters("t.dlq", [], once, letters("s", "x")).ok, false);

  const both = [...once, { group: "h", delivery: "at least once" as const }];
  const twice = [...letters("s", "a", "b"), ...letters("h", "a", "b", "a")];
  assert.equal(compareDeadLetters("t.dlq", ["a", "b"], both, twice).ok, true);
  const missing = [...letters("s", "a", "b"), ...letters("h", "a", "a")];
  assert.equal(compareDeadLetters("t.dlq", ["a", "b"], both, missing).ok, false);
  const stranger = [...twice, ...letters("other", "a")];
  assert.equal(compareDeadLetters("t.dlq", ["a", "b"], both, stranger).ok, false);
  assert.equal(
    compareDeadLetters("t.dlq", ["a", "b"], both, [...twice, ...letters(null, "a")]).ok,
    false,
  );
});

Deno.test("the simulation and the stages pass only when they ended or stayed as expected", () => {
  assert.deepEqual(simulationCheck(0, 24), {
    name: "the simulation finished by itself",
    ok: true,
    detail: "exit code 0 after 24 steps",
  });
  assert.equal(simulationCheck(128, 9).ok, false);
  const started = ["summary-a-3", "stations-2", "history"];
  assert.deepEqual(runningCheck(started, []), {
    name: "every stage is still running",
    ok: true,
    detail: "3 alive: summary-a-3, stations-2, history",
  });
  const crashed = runningCheck(started, ["summary-a-3", "stations-2"]);
  assert.equal(crashed.ok, false);
  assert.equal(crashed.detail, "not running: summary-a-3, stations-2");
});

Deno.test("the renamed station serves a line the transform keeps, whatever the seed", () => {
  const rows = projectStationRows();
  for (let seed = 1; seed <= 200; seed++) {
    const { stationId, name } = drawRename(rows, new Random(seed), seed);
    const stops = rows.filter((r) => r.station_id === stationId);
    assert.ok(stops.some((r) => r.red || r.blue || r.green), `seed ${seed}: ${name}`);
    assert.match(name, new RegExp(` \\(chaos ${seed}\\)$`));
  }
});
