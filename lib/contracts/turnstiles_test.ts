import assert from "node:assert/strict";
import { stationOf } from "./turnstiles.ts";

Deno.test("a turnstile value without a usable station_id is rejected with a reason", () => {
  assert.deepEqual(stationOf({ station_id: 40380, station_name: "Clark/Lake", line: "blue" }), {
    stationId: 40380,
  });
  for (const bad of [null, {}, { station_id: "40380" }, { station_id: 1.5 }, { station_id: -3 }]) {
    const result = stationOf(bad);
    assert.ok("reason" in result, JSON.stringify(bad));
  }
});
