import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { LINES } from "../../lib/contracts/enums.ts";
import { parseStopTable, stopTable } from "./stops.ts";

Deno.test("every station of every line has one stop per direction", () => {
  const table = stopTable();
  const rows = parse(
    Deno.readTextFileSync(new URL("../../data/stations.csv", import.meta.url)),
    { columns: true },
  ) as Record<string, string>[];
  for (const line of LINES) {
    const ids = new Set(rows.filter((r) => r[line] === "TRUE").map((r) => Number(r.station_id)));
    assert.ok(ids.size > 20, `${line} has its stations`);
    for (const id of ids) {
      const a = table.platform(id, line, "a"), b = table.platform(id, line, "b");
      assert.ok(a && b, `${line} ${id}`);
      assert.notEqual(a.stopId, b.stopId);
    }
  }
});

Deno.test("directions follow the labels, the Loop and the terminals", () => {
  const table = stopTable();
  // Howard: the 95th-bound stop is b, the terminal arrival a.
  assert.equal(table.platform(40900, "red", "b")?.stopId, 30174);
  assert.equal(table.platform(40900, "red", "a")?.stopId, 30173);
  assert.equal(table.platform(41190, "red", "a")?.stopId, 30227);
  // O'Hare's terminal arrival is O'Hare-bound; Forest Park's is Forest Park-bound.
  assert.equal(table.platform(40890, "blue", "a")?.stopId, 30171);
  assert.equal(table.platform(40390, "blue", "b")?.stopId, 30077);
  // Green trains towards 63rd take the Inner Loop.
  assert.equal(table.platform(40380, "green", "b")?.stopId, 30074);
  assert.equal(table.platform(40680, "green", "b")?.stopId, 30132);
  assert.equal(table.platform(40680, "green", "a")?.stopId, 30131);
  assert.equal(table.platform(40290, "green", "b")?.stopId, 30057);
});

Deno.test("stops describe the terminal they serve, and a station lists all its lines", () => {
  const table = stopTable();
  assert.equal(table.stop(30174)?.description, "Service toward 95th/Dan Ryan");
  assert.equal(table.stop(30227)?.description, "Service toward Howard");
  assert.equal(table.stop(30074)?.description, "Service toward Ashland/63rd");
  assert.equal(table.stop(30075)?.description, "Service toward Harlem/Lake");
  assert.deepEqual(
    table.stationPlatforms(40380).map((p) => `${p.line}${p.direction}`).sort(),
    ["bluea", "blueb", "greena", "greenb"],
  );
  assert.equal(table.stationName(40380), "Clark/Lake");
  assert.equal(table.terminal("blue", "b"), 40390);
  assert.equal(table.terminal("green", "a"), 40020);
  assert.equal(table.stop(12345), undefined);
});

const header = "stop_id,direction_id,stop_name,station_name,station_descriptive_name,station_id," +
  "order,red,blue,green";

Deno.test("a station whose stops cannot be told apart is refused", () => {
  const csv = [
    header,
    "1,N,A (Howard-bound),A,A,40001,0,TRUE,FALSE,FALSE",
    "2,S,A (Howard-bound),A,A,40001,0,TRUE,FALSE,FALSE",
    "3,N,B (Howard-bound),B,B,40002,1,TRUE,FALSE,FALSE",
    "4,S,B (95th-bound),B,B,40002,1,TRUE,FALSE,FALSE",
  ].join("\n");
  assert.throws(() => parseStopTable(csv), /both stops of red station 40001/);
  const unlabelled = csv.replaceAll("Howard-bound", "Somewhere");
  assert.throws(() => parseStopTable(unlabelled), /no stop per direction for red station 40001/);
});
