/**
 * The Train Tracker API on the real stack: stations, arrivals and predictions produced to a fresh
 * namespace, the dashboard following them, and its three endpoints read with fetch and with a
 * foreign client (python-cta, given only another base URL): `deno test -P tests/train_tracker_test.ts`.
 */
import assert from "node:assert/strict";
import type { ArrivalValue } from "../lib/contracts/arrivals.ts";
import type { PlatformPredictions, PredictedArrival } from "../lib/contracts/predictions.ts";
import { lastJsonLine } from "./foreign/mod.ts";
import { Inputs, startDashboard, stationsFromCsv, testConfig } from "./dashboard_fixture.ts";
import { produceArrivals, producePredictions } from "./train_tracker_fixture.ts";

const FOREIGN_CLIENT = new URL("./foreign/train_tracker_client.py", import.meta.url).pathname;
// 12:00:00 in Chicago (CDT).
const CLOCK = Date.UTC(2026, 6, 1, 17, 0, 0);
const SECOND = 1000;

const train = (
  train_id: string,
  line: ArrivalValue["line"],
  station_id: number,
  direction: ArrivalValue["direction"],
  event_time: number,
): ArrivalValue => ({
  station_id,
  train_id,
  direction,
  line,
  train_status: "in_service",
  prev_station_id: null,
  prev_direction: null,
  event_time,
});

const predicted = (
  train_id: string,
  inSeconds: number,
  from_station_id: number,
  stops_away: number,
  destination_station_id: number,
  delayed = false,
): PredictedArrival => ({
  train_id,
  arrival_time: CLOCK + inSeconds * SECOND,
  from_station_id,
  reported_at: CLOCK,
  stops_away,
  destination_station_id,
  delayed,
  broken_down: false,
});

const board = (
  station_id: number,
  line: PlatformPredictions["line"],
  direction: PlatformPredictions["direction"],
  arrivals: PredictedArrival[],
): PlatformPredictions => ({ station_id, line, direction, generated_at: CLOCK, arrivals });

type Ctatt = Record<string, unknown> & { errCd: string; errNm: string | null; tmst: string };

async function ctatt(base: string, path: string): Promise<Ctatt> {
  const res = await fetch(`${base}${path}`);
  assert.equal(res.status, 200, path);
  return (await res.json()).ctatt;
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not seen within ${timeoutMs} ms`);
}

Deno.test({
  name: "predictions on the topic come out of the three Train Tracker endpoints, as CTA's do",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const { config, namespace } = testConfig("tt");
    const inputs = new Inputs(config);
    await inputs.connect();
    await inputs.createTopics(["stationsTransformed", "arrivals", "predictions"]);
    const producer = inputs.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const dashboard = await startDashboard(namespace);
    const api = `${dashboard.url}/api/1.0`;
    try {
      await inputs.stations(stationsFromCsv());
      await produceArrivals(inputs, producer, [
        train("RL004", "red", 41450, "b", CLOCK - 20 * SECOND),
        train("BL003", "blue", 40070, "a", CLOCK - 10 * SECOND),
        train("GL001", "green", 41160, "b", CLOCK),
        train("RL007", "red", 40900, "b", CLOCK - 30 * SECOND),
      ]);
      await producePredictions(inputs, producer, [
        // Red towards 95th: RL004 is at Chicago, Grand next, then Lake.
        board(40330, "red", "b", [predicted("RL004", 50, 41450, 0, 40450)]),
        board(41660, "red", "b", [predicted("RL004", 120, 41450, 1, 40450)]),
        // Clark/Lake: Blue towards O'Hare from Jackson, Green towards 63rd from Clinton.
        board(40380, "blue", "a", [predicted("BL003", 180, 40070, 2, 40890)]),
        board(40380, "green", "b", [predicted("GL001", 90, 41160, 0, 40290, true)]),
      ]);

      await t.step("arrivals: CTA's fields, values and Chicago times", async () => {
        const answer = await until("both Clark/Lake predictions and the clock", async () => {
          const a = await ctatt(api, "/ttarrivals.aspx?key=k&mapid=40380&outputType=JSON");
          const etas = a.eta as unknown[] | undefined;
          return etas?.length === 2 && a.tmst === "2026-07-01T12:00:00" ? a : null;
        });
        assert.equal(answer.errCd, "0");
        assert.equal(answer.errNm, null);
        const [green, blue] = answer.eta as Record<string, unknown>[];
        assert.deepEqual(green, {
          staId: "40380",
          stpId: "30074",
          staNm: "Clark/Lake",
          stpDe: "Service toward Ashland/63rd",
          rn: "501",
          rt: "G",
          destSt: "30057",
          destNm: "Ashland/63rd",
          trDr: "5",
          prdt: "2026-07-01T12:00:00",
          arrT: "2026-07-01T12:01:30",
          isApp: "0",
          isSch: "0",
          isDly: "1",
          isFlt: "0",
          flags: null,
          lat: null,
          lon: null,
          heading: null,
        });
        assert.equal(blue.rn, "103");
        assert.equal(blue.rt, "Blue");
        assert.equal(blue.trDr, "1");
        assert.equal(blue.destNm, "O'Hare");
        const onlyBlue = await ctatt(api, "/ttarrivals.aspx?mapid=40380&rt=Blue&outputType=JSON");
        assert.deepEqual((onlyBlue.eta as { rn: string }[]).map((e) => e.rn), ["103"]);
        const grand = await ctatt(api, "/ttarrivals.aspx?mapid=40330&mapid=41660&max=1");
        assert.deepEqual(
          (grand.eta as Record<string, string>[]).map((e) => [e.staNm, e.isApp]),
          [["Grand", "1"]],
        );
      });

      await t.step("locations: each route asked, its trains and where they head", async () => {
        const answer = await ctatt(api, "/ttpositions.aspx?rt=red,g&rt=blue&outputType=JSON");
        const routes = answer.route as { "@name": string; train: Record<string, string>[] }[];
        assert.deepEqual(routes.map((r) => r["@name"]), ["red", "g", "blue"]);
        // RL007 has no prediction yet, so it cannot be placed.
        assert.deepEqual(routes[0].train.map((tr) => tr.rn), ["804"]);
        const red = routes[0].train[0];
        assert.equal(red.nextStaId, "40330");
        assert.equal(red.nextStaNm, "Grand");
        assert.equal(red.destNm, "95th/Dan Ryan");
        assert.equal(red.trDr, "5");
        assert.equal(red.isApp, "1");
        assert.equal(routes[1].train[0].isDly, "1");
      });

      await t.step("follow this train: the coming stops of one run", async () => {
        const answer = await ctatt(api, "/ttfollow.aspx?runnumber=804&outputType=JSON");
        assert.deepEqual(answer.position, { lat: null, lon: null, heading: null });
        const etas = answer.eta as Record<string, string>[];
        assert.deepEqual(etas.map((e) => [e.staNm, e.arrT, e.rt]), [
          ["Grand", "2026-07-01T12:00:50", "Red Line"],
          ["Lake", "2026-07-01T12:02:00", "Red Line"],
        ]);
      });

      await t.step("python-cta works against it with only its base URL changed", async () => {
        const output = await new Deno.Command("python3", {
          args: [
            FOREIGN_CLIENT,
            `--base=${dashboard.url}/api`,
            "--mapid=40380",
            "--stpid=30074",
            "--run=804",
          ],
          stdout: "piped",
          stderr: "piped",
        }).output();
        type Result = { records?: Record<string, string>[]; error?: string };
        const got = lastJsonLine<Record<string, Result>>(output, "python-cta");
        assert.deepEqual(got.arrivals.records?.map((r) => [r.rn, r.staNm, r.arrT]), [
          ["501", "Clark/Lake", "2026-07-01 12:01:30"],
          ["103", "Clark/Lake", "2026-07-01 12:03:00"],
        ]);
        assert.deepEqual(got.arrivals_stop_green.records?.map((r) => r.rn), ["501"]);
        assert.deepEqual(
          got.locations.records?.map((r) => [r.train, r.rn, r.nextStaNm]),
          [["red", "804", "Grand"], ["blue", "103", "Clark/Lake"], ["g", "501", "Clark/Lake"]],
        );
        assert.deepEqual(got.follow.records?.map((r) => r.staNm), ["Grand", "Lake"]);
        assert.match(got.invalid_mapid.error ?? "", /code 103 .*Invalid mapid: 41234/);
        assert.match(got.unknown_run.error ?? "", /code 501 /);
        assert.match(got.no_trains.error ?? "", /^NoTrainsError/);
      });

      await t.step("every documented error code for bad parameters, never a 500", async () => {
        const cases: [string, string][] = [
          ["/ttarrivals.aspx?key=k", "100"],
          ["/ttarrivals.aspx?mapid=41234", "103"],
          ["/ttarrivals.aspx?mapid=Clark", "104"],
          ["/ttarrivals.aspx?mapid=40380,40330,41660,40900,41450", "105"],
          ["/ttarrivals.aspx?mapid=40380&rt=Purple", "106"],
          ["/ttarrivals.aspx?mapid=40380&rt=red&rt=blue&rt=g&rt=brn&rt=org", "107"],
          ["/ttarrivals.aspx?stpid=39999", "108"],
          ["/ttarrivals.aspx?stpid=30074,30074,30074,30074,30074", "109"],
          ["/ttarrivals.aspx?mapid=40380&max=many", "110"],
          ["/ttarrivals.aspx?mapid=40380&max=0", "111"],
          ["/ttarrivals.aspx?stpid=3007x", "112"],
          ["/ttarrivals.aspx?mapid=40380&callback=x", "500"],
          ["/ttpositions.aspx?key=k", "100"],
          ["/ttpositions.aspx?rt=green", "106"],
          ["/ttpositions.aspx?rt=red,red,red,red,red,red,red,red,red", "107"],
          ["/ttpositions.aspx?rt=red&max=1", "500"],
          ["/ttfollow.aspx", "100"],
          ["/ttfollow.aspx?runnumber=804&rt=red", "500"],
          ["/ttfollow.aspx?runnumber=899", "501"],
          ["/ttfollow.aspx?runnumber=807", "503"],
          // The key is accepted and ignored: no 101 or 102 here.
          ["/ttfollow.aspx?runnumber=804&key=", "0"],
        ];
        for (const [path, errCd] of cases) {
          const answer = await ctatt(api, path);
          assert.equal(answer.errCd, errCd, path);
          assert.equal(typeof answer.errNm, errCd === "0" ? "object" : "string", path);
          assert.equal("eta" in answer && errCd !== "0", false, path);
        }
      });
    } finally {
      await dashboard.stop();
      await producer.disconnect();
      await inputs.close();
    }
  },
});
