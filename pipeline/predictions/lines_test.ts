import assert from "node:assert/strict";
import { transformedKey, transformedValue } from "../../lib/contracts/stations_transformed.ts";
import { parseLines } from "../sim/data.ts";
import { LineIndex } from "./lines.ts";

const csv =
  `stop_id,direction_id,stop_name,station_name,station_descriptive_name,station_id,order,red,blue,green
1,N,a,Howard,Howard,10,0,TRUE,FALSE,FALSE
2,S,b,Jarvis,Jarvis,11,1,TRUE,FALSE,FALSE
3,S,c,Morse,Morse,12,2,TRUE,FALSE,FALSE
`;

const record = (station_id: number, station_name: string, order: number) => ({
  key: transformedKey(station_id, "red"),
  value: transformedValue({ station_id, station_name, order, line: "red" }),
});

Deno.test("lines come from data/ until the topic holds a station of the line", () => {
  const index = new LineIndex(parseLines(csv));
  assert.deepEqual(index.stations("red"), {
    source: "data",
    stations: [
      { station_id: 10, station_name: "Howard" },
      { station_id: 11, station_name: "Jarvis" },
      { station_id: 12, station_name: "Morse" },
    ],
  });
  assert.deepEqual(index.stations("blue"), { source: "data", stations: [] });
  const second = record(21, "Second", 1);
  const first = record(20, "First", 0);
  assert.deepEqual(index.apply(second.key, second.value), ["red"]);
  index.apply(first.key, first.value);
  assert.deepEqual(index.stations("red"), {
    source: "topic",
    stations: [{ station_id: 20, station_name: "First" }, {
      station_id: 21,
      station_name: "Second",
    }],
  });
});

Deno.test("a tombstone removes the station from its line, or from every line when the key names none", () => {
  const index = new LineIndex();
  const a = record(20, "First", 0);
  const b = record(21, "Second", 1);
  index.apply(a.key, a.value);
  index.apply(b.key, b.value);
  assert.deepEqual(index.apply(a.key, null), ["red"]);
  assert.deepEqual(index.stations("red").stations.map((s) => s.station_id), [21]);
  assert.deepEqual(index.apply(JSON.stringify({ station_id: 21 }), null), ["red", "blue", "green"]);
  assert.deepEqual(index.stations("red"), { source: "data", stations: [] });
});

Deno.test("a record that is not the contract's is refused", () => {
  const index = new LineIndex();
  assert.throws(() => index.apply(null, "{}"));
  assert.throws(() => index.apply("{not json", null));
  assert.throws(() => index.apply(transformedKey(1, "red"), JSON.stringify({ station_id: 1 })));
});
