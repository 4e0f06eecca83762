import assert from "node:assert/strict";
import { type KnownStops, parseArrivals, parseFollow, parsePositions } from "./params.ts";

const known: KnownStops = {
  stationName: (id) => (id === 40380 || id === 40900 ? "somewhere" : undefined),
  stop: (id) => (id === 30074 ? {} : undefined),
};

const arrivals = (query: string) => parseArrivals(new URLSearchParams(query), known);
const code = (parsed: { ok: boolean; error?: { errCd: number } }) =>
  parsed.ok ? 0 : parsed.error!.errCd;

Deno.test("arrivals: stations, stops, routes and max, repeated or comma-separated", () => {
  assert.deepEqual(
    arrivals("key=x&mapid=40380,40900&stpid=30074&rt=Red&rt=g,BLUE&max=3&outputType=JSON"),
    {
      ok: true,
      request: { stations: [40380, 40900], stops: [30074], routes: ["red", "g", "blue"], max: 3 },
    },
  );
  assert.deepEqual(arrivals("MAPID=40380&OutputType=json"), {
    ok: true,
    request: { stations: [40380], stops: [], routes: [], max: null },
  });
});

Deno.test("arrivals: each documented error code", () => {
  assert.deepEqual(arrivals("key=x"), {
    ok: false,
    error: { errCd: 100, errNm: "Required parameter 'mapid or stpid' is missing." },
  });
  assert.equal(code(arrivals("mapid=")), 100);
  assert.deepEqual(arrivals("mapid=41234"), {
    ok: false,
    error: { errCd: 103, errNm: "Invalid mapid: 41234" },
  });
  assert.deepEqual(arrivals("mapid=40380,clark"), {
    ok: false,
    error: { errCd: 104, errNm: "Mapid's need to be integers: clark" },
  });
  assert.equal(code(arrivals("mapid=40380.5")), 104);
  assert.equal(code(arrivals("mapid=40380&mapid=40380,40380,40380,40380")), 105);
  assert.deepEqual(arrivals("mapid=40380&rt=Purple"), {
    ok: false,
    error: { errCd: 106, errNm: "Invalid Route Identifier: Purple" },
  });
  assert.equal(code(arrivals("mapid=40380&rt=red,blue,g,brn,org")), 107);
  assert.deepEqual(arrivals("stpid=39999"), {
    ok: false,
    error: { errCd: 108, errNm: "Invalid stpId specified: 39999" },
  });
  assert.equal(code(arrivals("stpid=30074,30074,30074,30074,30074")), 109);
  assert.deepEqual(arrivals("mapid=40380&max=ten"), {
    ok: false,
    error: { errCd: 110, errNm: "Invalid max specified: ten" },
  });
  assert.equal(code(arrivals("mapid=40380&max=1&max=2")), 110);
  assert.equal(code(arrivals("mapid=40380&max=0")), 111);
  assert.equal(code(arrivals("mapid=40380&max=-3")), 111);
  assert.deepEqual(arrivals("stpid=x1"), {
    ok: false,
    error: { errCd: 112, errNm: "Stpid's need to be integers: x1" },
  });
  assert.deepEqual(arrivals("mapid=40380&runnumber=804"), {
    ok: false,
    error: { errCd: 500, errNm: "Invalid parameter: runnumber" },
  });
});

Deno.test("positions: routes asked once each, at most eight, and CTA's codes only", () => {
  assert.deepEqual(parsePositions(new URLSearchParams("rt=red,G&rt=brn&rt=red&key=k")), {
    ok: true,
    request: { routes: ["red", "g", "brn"] },
  });
  assert.equal(code(parsePositions(new URLSearchParams("key=k"))), 100);
  assert.equal(code(parsePositions(new URLSearchParams("rt=red&rt=green"))), 106);
  // Duplicates count towards the limit.
  assert.equal(code(parsePositions(new URLSearchParams(`rt=${Array(9).fill("red")}`))), 107);
  assert.equal(code(parsePositions(new URLSearchParams("rt=red&mapid=40380"))), 500);
});

Deno.test("follow: one run number", () => {
  assert.deepEqual(parseFollow(new URLSearchParams("runnumber=804&key=k&outputType=JSON")), {
    ok: true,
    request: { run: "804" },
  });
  assert.equal(code(parseFollow(new URLSearchParams("runnumber="))), 100);
  assert.equal(code(parseFollow(new URLSearchParams("rn=804"))), 500);
});
