import assert from "node:assert/strict";
import { applyChanges, type Change, emptyState } from "./state.ts";
import type { Line } from "../lib/contracts/enums.ts";
import {
  detailFromDescriptiveName,
  matchRank,
  normalizeName,
  searchableStations,
  searchStations,
} from "./station_search.ts";

function lines(rows: [Line, number, string][]) {
  const s = emptyState();
  const changes: Change[] = rows.map(([line, station_id, station_name], order) => ({
    kind: "station",
    line,
    station: { station_id, station_name, order },
  }));
  applyChanges(s, changes, null);
  return s.lines;
}

const LINES_STATE = lines([
  ["red", 40900, "Howard"],
  ["red", 41400, "Roosevelt"],
  ["green", 41400, "Roosevelt"],
  ["blue", 40380, "Clark/Lake"],
  ["green", 40380, "Clark/Lake"],
  ["green", 40020, "Harlem/Lake"],
  ["blue", 40750, "Harlem"],
  ["blue", 40980, "Harlem"],
  ["red", 41450, "Chicago"],
  ["blue", 41410, "Chicago"],
  ["red", 40330, "Grand"],
  ["red", 40450, "95th/Dan Ryan"],
]);

Deno.test("names compare without case, accents or punctuation", () => {
  assert.equal(normalizeName("  Clark/LAKE "), "clark lake");
  assert.equal(normalizeName("Montréal–Bélanger"), "montreal belanger");
});

Deno.test("ranks: whole name, prefix, word prefix, anywhere", () => {
  assert.equal(matchRank("Harlem", "harlem"), 0);
  assert.equal(matchRank("Harlem/Lake", "harl"), 1);
  assert.equal(matchRank("Clark/Lake", "lake"), 2);
  assert.equal(matchRank("Clark/Lake", "k/la"), 3);
  assert.equal(matchRank("Roosevelt", "sevel"), 3);
  assert.equal(matchRank("Roosevelt", "lake"), null);
  assert.equal(matchRank("Roosevelt", "   "), null);
});

Deno.test("one result per station, with every line it serves, best first", () => {
  const stations = searchableStations(LINES_STATE);
  const lake = searchStations(stations, "lake");
  assert.deepEqual(lake.map((m) => [m.name, m.lines]), [
    ["Clark/Lake", ["blue", "green"]],
    ["Harlem/Lake", ["green"]],
  ]);
  const harlem = searchStations(stations, "HARLEM");
  assert.deepEqual(harlem.map((m) => m.station_id), [40750, 40980, 40020]);
  assert.deepEqual(searchStations(stations, "roose").map((m) => m.lines), [["red", "green"]]);
  assert.deepEqual(searchStations(stations, "zzz"), []);
  assert.equal(searchStations(stations, "a", 3).length, 3);
});

Deno.test("stations sharing a name get the detail that tells them apart", () => {
  const details = new Map([
    [40750, detailFromDescriptiveName("Harlem (Blue Line - O'Hare Branch)")],
    [40980, detailFromDescriptiveName("Harlem (Blue Line - Forest Park Branch)")],
    [40900, detailFromDescriptiveName("Howard (Red, Purple & Yellow Lines)")],
  ]);
  const stations = searchableStations(LINES_STATE, details);
  const harlem = searchStations(stations, "harlem");
  assert.deepEqual(harlem.map((m) => m.detail), ["O'Hare Branch", "Forest Park Branch", undefined]);
  assert.equal(searchStations(stations, "howard")[0].detail, undefined);
});
