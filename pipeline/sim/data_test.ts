import assert from "node:assert/strict";
import { loadSimData, parseLines, turnstileStations } from "./data.ts";

const data = loadSimData();
const line = (name: string) => data.lines.find((l) => l.line === name)!;

Deno.test("lines have one station per station_id: Red 33, Blue 33, Green 28", () => {
  assert.deepEqual(data.lines.map((l) => [l.line, l.stations.length]), [
    ["red", 33],
    ["blue", 33],
    ["green", 28],
  ]);
  for (const { stations } of data.lines) {
    assert.equal(new Set(stations.map((s) => s.stationId)).size, stations.length);
  }
});

Deno.test("the Blue Line keeps both Harlems, as two stations", () => {
  const harlems = line("blue").stations.filter((s) => s.name === "Harlem");
  assert.deepEqual(harlems.map((s) => s.stationId).sort(), [40750, 40980]);
});

Deno.test("stations are sorted by their own line's order", () => {
  const red = line("red").stations;
  assert.equal(red[0].name, "Howard");
  assert.equal(red.at(-1)!.name, "95th/Dan Ryan");
  const blue = line("blue").stations;
  assert.equal(blue[0].name, "O'Hare");
  const green = line("green").stations;
  assert.equal(green[0].name, "Harlem/Lake");
  assert.equal(green.at(-1)!.name, "Ashland/63rd");
  // Clark/Lake is 14th on Green and 16th on Blue; Roosevelt 18th on Green, 23rd on Red.
  assert.equal(green.findIndex((s) => s.stationId === 40380), 14);
  assert.equal(blue.findIndex((s) => s.stationId === 40380), 16);
  assert.equal(green.findIndex((s) => s.stationId === 41400), 18);
  assert.equal(red.findIndex((s) => s.stationId === 41400), 23);
});

Deno.test("rows are ordered by the order column even when the file is not", () => {
  const csv = [
    "stop_id,direction_id,stop_name,station_name,station_descriptive_name,station_id,order,red,blue,green",
    "3,N,c,C,C,103,2,TRUE,FALSE,FALSE",
    "1,N,a,A,A,101,0,TRUE,FALSE,FALSE",
    "4,S,a,A,A,101,0,TRUE,FALSE,FALSE",
    "2,N,b,B,B,102,1,TRUE,FALSE,FALSE",
    "5,N,x,X,X,999,0,FALSE,FALSE,FALSE",
  ].join("\r\n");
  const [red, blue] = parseLines(csv);
  assert.deepEqual(red.stations.map((s) => s.stationId), [101, 102, 103]);
  assert.equal(blue.stations.length, 0);
});

Deno.test("turnstile stations: each station once, shared ones on the first of red, blue, green", () => {
  const stations = turnstileStations(data.lines);
  assert.equal(stations.length, 33 + 33 + 28 - 2);
  assert.equal(stations.find((s) => s.stationId === 40380)!.line, "blue");
  assert.equal(stations.find((s) => s.stationId === 41400)!.line, "red");
  assert.equal(stations.find((s) => s.stationId === 40020)!.line, "green");
});

Deno.test("ridership and hour shares load by station_id and hour", () => {
  assert.deepEqual(data.ridership.get(40380), {
    weekday: 22811.6,
    saturday: 6901.8,
    sundayHoliday: 6233.5,
  });
  assert.equal(data.hourShares.length, 24);
  assert.equal(data.hourShares[8], 0.125);
  assert.equal(data.hourShares[0], 0.01);
  for (const { stations } of data.lines) {
    for (const s of stations) assert.ok(data.ridership.has(s.stationId), `${s.stationId}`);
  }
});
