import assert from "node:assert/strict";
import { testApp } from "../../../dashboard/app_fixture.ts";

const makeApp = () => testApp();

const CLOCK = Date.UTC(2026, 6, 1, 17, 0, 0);

function seeded() {
  const { app, live } = makeApp();
  live.apply([{
    kind: "train",
    train: {
      train_id: "BL003",
      line: "blue",
      station_id: 40070,
      direction: "a",
      status: "in_service",
      reported_at: CLOCK,
    },
  }, {
    kind: "predictions",
    platform: {
      station_id: 40380,
      line: "blue",
      direction: "a",
      generated_at: CLOCK,
      arrivals: [{
        train_id: "BL003",
        arrival_time: CLOCK + 120_000,
        from_station_id: 40070,
        reported_at: CLOCK,
        stops_away: 1,
        destination_station_id: 40890,
        delayed: false,
        broken_down: false,
      }],
    },
  }], CLOCK);
  return { app, live };
}

async function ctatt(app: ReturnType<typeof makeApp>["app"], path: string) {
  const res = await app.request(path);
  assert.equal(res.status, 200, path);
  assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/);
  return (await res.json()).ctatt;
}

Deno.test("the three endpoints answer from the live state, on its event-time clock", async () => {
  const { app, live } = seeded();
  const arrivals = await ctatt(app, "/api/1.0/ttarrivals.aspx?key=x&mapid=40380&outputType=JSON");
  assert.equal(arrivals.tmst, "2026-07-01T12:00:00");
  assert.deepEqual(
    arrivals.eta.map((e: Record<string, string>) => [e.rn, e.stpDe, e.arrT]),
    [["103", "Service toward O'Hare", "2026-07-01T12:02:00"]],
  );
  const positions = await ctatt(app, "/api/1.0/ttpositions.aspx?rt=blue&rt=red&outputType=JSON");
  assert.deepEqual(positions.route.map((r: { "@name": string }) => r["@name"]), ["blue", "red"]);
  assert.equal(positions.route[0].train[0].nextStaNm, "Clark/Lake");
  const follow = await ctatt(app, "/api/1.0/ttfollow.aspx?runnumber=103&outputType=JSON");
  assert.equal(follow.eta[0].staId, "40380");
  live.hub.close();
});

Deno.test("bad parameters get CTA's error codes with HTTP 200, never a 500", async () => {
  const { app, live } = seeded();
  const cases: [string, string][] = [
    ["/api/1.0/ttarrivals.aspx", "100"],
    ["/api/1.0/ttarrivals.aspx?mapid=%zz", "104"],
    ["/api/1.0/ttarrivals.aspx?mapid=4038" + "0".repeat(400), "103"],
    ["/api/1.0/ttarrivals.aspx?mapid=40380&max=%F0%9F%9A%86", "110"],
    ["/api/1.0/ttarrivals.aspx?mapid=40380&rt=", "0"],
    ["/api/1.0/ttarrivals.aspx?mapid=40380&foo=1", "500"],
    ["/api/1.0/ttpositions.aspx?rt=purple", "106"],
    ["/api/1.0/ttpositions.aspx?", "100"],
    ["/api/1.0/ttfollow.aspx?runnumber=%00", "501"],
    ["/api/1.0/ttfollow.aspx?run=1", "500"],
  ];
  for (const [path, errCd] of cases) {
    assert.equal((await ctatt(app, path)).errCd, errCd, path);
  }
  live.hub.close();
});

Deno.test("before any train has reported, tmst is the wall clock", async () => {
  const { app, live } = makeApp();
  const before = Date.now();
  const { tmst } = await ctatt(app, "/api/1.0/ttpositions.aspx?rt=red");
  assert.match(tmst, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  const year = new Date(before).getUTCFullYear();
  assert.ok(tmst.startsWith(String(year)) || tmst.startsWith(String(year - 1)));
  live.hub.close();
});
