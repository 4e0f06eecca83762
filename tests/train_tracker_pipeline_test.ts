/**
 * A seeded simulation, through the predictions stage and the dashboard, out of the Train Tracker
 * API: `deno test -P tests/train_tracker_pipeline_test.ts`. Every answer is checked against what
 * the API promises (stops of the station asked, run numbers of trains of the route, directions
 * that match the stop, Chicago times); the exact predictions are the predictions stage's to test.
 */
import assert from "node:assert/strict";
import { STAGES, type StageSpec } from "../lib/stages.ts";
import { startStage } from "./helpers/stage.ts";
import { Inputs, startDashboard, testConfig } from "./dashboard_fixture.ts";
import { stopTable } from "../dashboard/train_tracker/stops.ts";
import { DIRECTION_CODE, trainOfRun } from "../dashboard/train_tracker/lines.ts";

const PREDICTIONS_STAGE = (STAGES as Record<string, StageSpec>).predictions;
const LOCAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;
const ROUTE_LINE: Record<string, string> = { Red: "red", Blue: "blue", G: "green" };

async function simulate(namespace: string): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: [
      "run",
      "-P=client",
      "pipeline/simulate.ts",
      "--steps",
      "8",
      "--step-seconds",
      "0",
      "--seed",
      "11",
      "--no-connector",
      "--no-weather",
    ],
    cwd: new URL("..", import.meta.url),
    env: { TOPIC_NAMESPACE: namespace, KAFKAJS_NO_PARTITIONER_WARNING: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, `the simulation failed:\n${text}`);
}

type Ctatt = Record<string, unknown> & { errCd: string; tmst: string };

async function ctatt(url: string): Promise<Ctatt> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return (await res.json()).ctatt;
}

Deno.test({
  name: "a seeded simulation's predictions come out of the Train Tracker API",
  // Runs once the predictions stage is registered in lib/stages.ts.
  ignore: PREDICTIONS_STAGE === undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const table = stopTable();
    const { config, namespace } = testConfig("tt-sim");
    const inputs = new Inputs(config);
    await inputs.connect();
    const dashboard = await startDashboard(namespace);
    const stage = startStage(PREDICTIONS_STAGE, [], { TOPIC_NAMESPACE: namespace });
    const api = `${dashboard.url}/api/1.0`;
    try {
      await stage.waitReady(90_000);
      await simulate(namespace);

      // Where the trains head next, once the predictions have reached the dashboard and settled.
      const deadline = Date.now() + 60_000;
      let trains: Record<string, string>[] = [];
      let previous = "";
      while (true) {
        assert.ok(Date.now() < deadline, `no train placed within 60 s:\n${stage.output()}`);
        await new Promise((r) => setTimeout(r, 1000));
        const positions = await ctatt(`${api}/ttpositions.aspx?rt=red,blue,g&outputType=JSON`);
        assert.equal(positions.errCd, "0");
        trains = (positions.route as { train?: Record<string, string>[] }[])
          .flatMap((r) => r.train ?? []);
        const seen = JSON.stringify(positions.route);
        if (trains.length > 0 && seen === previous) break;
        previous = seen;
      }

      for (const train of trains.slice(0, 6)) {
        const arrivals = await ctatt(`${api}/ttarrivals.aspx?mapid=${train.nextStaId}&key=k`);
        assert.equal(arrivals.errCd, "0");
        assert.match(arrivals.tmst, LOCAL_TIME);
        const etas = arrivals.eta as Record<string, string>[];
        assert.ok(etas.some((e) => e.rn === train.rn), `run ${train.rn} at ${train.nextStaId}`);
        for (const eta of etas) {
          const stop = table.stop(Number(eta.stpId));
          assert.equal(stop?.stationId, Number(train.nextStaId));
          assert.equal(eta.staId, train.nextStaId);
          assert.equal(eta.trDr, DIRECTION_CODE[stop!.direction]);
          assert.equal(trainOfRun(eta.rn)?.line, ROUTE_LINE[eta.rt]);
          assert.equal(stop!.line, ROUTE_LINE[eta.rt]);
          assert.match(eta.prdt, LOCAL_TIME);
          assert.match(eta.arrT, LOCAL_TIME);
          assert.ok(eta.arrT >= eta.prdt, `${eta.arrT} before ${eta.prdt}`);
        }

        const follow = await ctatt(`${api}/ttfollow.aspx?runnumber=${train.rn}`);
        assert.equal(follow.errCd, "0", JSON.stringify(follow));
        const stations = (follow.eta as Record<string, string>[]).map((e) => e.staId);
        assert.ok(stations.includes(train.nextStaId), `run ${train.rn} follows ${stations}`);
      }
    } finally {
      await stage.kill("SIGTERM");
      await dashboard.stop();
      await inputs.close();
    }
  },
});
