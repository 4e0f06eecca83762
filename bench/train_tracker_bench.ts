/**
 * Throughput and latency of the Train Tracker Arrivals API under load: `deno task bench:api`.
 *
 * The dashboard runs on a fresh namespace of the real stack, fed with every station of the three
 * lines, 10 trains per line and a board of predictions for every platform. wrk (Debian's
 * `wrk`) then requests ttarrivals.aspx for every station in turn, some with `max` or `rt`, and,
 * in the same run, the dashboard's existing /api/state as the peer.
 * Options (env): BENCH_SECONDS (15), BENCH_CONNECTIONS (32), BENCH_THREADS (2).
 */
import type { Direction, Line } from "../lib/contracts/enums.ts";
import type { ArrivalValue } from "../lib/contracts/arrivals.ts";
import type { PlatformPredictions } from "../lib/contracts/predictions.ts";
import { Inputs, startDashboard, stationsFromCsv, testConfig } from "../tests/dashboard_fixture.ts";
import { produceArrivals, producePredictions } from "../tests/train_tracker_fixture.ts";
import { loadAverage } from "./figures.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 15);
const CONNECTIONS = Number(Deno.env.get("BENCH_CONNECTIONS") ?? 32);
const THREADS = Number(Deno.env.get("BENCH_THREADS") ?? 2);
const TRAINS_PER_LINE = 10;
const ARRIVALS_PER_BOARD = 3;
const CLOCK = Date.UTC(2026, 0, 5, 14, 0, 0);
const ID_PREFIX: Record<Line, string> = { red: "RL", blue: "BL", green: "GL" };

/** Ten trains per line at evenly spaced stations, and a board of three for every platform. */
function realisticState() {
  const stations = stationsFromCsv();
  const trains: ArrivalValue[] = [];
  const boards: PlatformPredictions[] = [];
  for (const line of ["red", "blue", "green"] as Line[]) {
    const ordered = stations.filter((s) => s.line === line).sort((x, y) => x.order - y.order);
    for (let n = 0; n < TRAINS_PER_LINE; n++) {
      trains.push({
        station_id: ordered[Math.floor((n * ordered.length) / TRAINS_PER_LINE)].station_id,
        train_id: `${ID_PREFIX[line]}${String(n).padStart(3, "0")}`,
        line,
        direction: n % 2 === 0 ? "b" : "a",
        train_status: "in_service",
        prev_station_id: null,
        prev_direction: null,
        event_time: CLOCK - n * 1000,
      });
    }
    ordered.forEach((station, index) => {
      for (const direction of ["a", "b"] as Direction[]) {
        const terminal = direction === "a" ? ordered[0] : ordered[ordered.length - 1];
        boards.push({
          station_id: station.station_id,
          line,
          direction,
          generated_at: CLOCK,
          arrivals: Array.from({ length: ARRIVALS_PER_BOARD }, (_, k) => ({
            train_id: `${ID_PREFIX[line]}${String((index + k) % TRAINS_PER_LINE).padStart(3, "0")}`,
            arrival_time: CLOCK + (k + 1) * 150_000,
            from_station_id: station.station_id,
            reported_at: CLOCK - 20_000,
            stops_away: k,
            destination_station_id: terminal.station_id,
            delayed: k === 2,
            broken_down: false,
          })),
        });
      }
    });
  }
  return { stations, trains, boards };
}

interface WrkFigures {
  requestsPerSecond: number;
  p50: string;
  p99: string;
  requests: number;
  errors: string;
}

function parseWrk(text: string): WrkFigures {
  const find = (pattern: RegExp) => text.match(pattern)?.[1];
  const socketErrors = find(/Socket errors: (.*)/);
  const non2xx = find(/Non-2xx or 3xx responses: (\d+)/);
  return {
    requestsPerSecond: Number(find(/Requests\/sec:\s+([\d.]+)/)),
    p50: find(/^\s+50%\s+(\S+)/m) ?? "?",
    p99: find(/^\s+99%\s+(\S+)/m) ?? "?",
    requests: Number(find(/(\d+) requests in/)),
    errors: [socketErrors && `socket errors: ${socketErrors}`, non2xx && `non-2xx: ${non2xx}`]
      .filter(Boolean).join(", ") || "none",
  };
}

async function wrk(url: string, paths: string[]): Promise<WrkFigures> {
  const script = await Deno.makeTempFile({ suffix: ".lua" });
  await Deno.writeTextFile(
    script,
    `local paths = {${paths.map((p) => JSON.stringify(p)).join(",")}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
`,
  );
  try {
    const out = await new Deno.Command("wrk", {
      args: [
        `-t${THREADS}`,
        `-c${CONNECTIONS}`,
        `-d${SECONDS}s`,
        "--latency",
        "-s",
        script,
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
    return parseWrk(text);
  } finally {
    await Deno.remove(script);
  }
}

function print(what: string, f: WrkFigures) {
  console.log(
    `${what}: ${Math.round(f.requestsPerSecond)} requests/s (${f.requests} in ${SECONDS} s), ` +
      `p50 ${f.p50}, p99 ${f.p99}, errors ${f.errors}; ${loadAverage()}`,
  );
}

async function main() {
  const probe = await new Deno.Command("wrk", {
    args: ["--version"],
    stdout: "null",
    stderr: "null",
  })
    .output().catch(() => null);
  if (probe === null) throw new Error("wrk is not installed (Debian: apt-get install wrk)");
  const { config, namespace } = testConfig("bench-tt");
  const inputs = new Inputs(config);
  await inputs.connect();
  await inputs.createTopics(["stationsTransformed", "arrivals", "predictions"]);
  const producer = inputs.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const dashboard = await startDashboard(namespace);
  try {
    const state = realisticState();
    await inputs.stations(state.stations);
    await produceArrivals(inputs, producer, state.trains);
    await producePredictions(inputs, producer, state.boards);
    const stationIds = [...new Set(state.stations.map((s) => s.station_id))];
    const paths = stationIds.map((id, i) =>
      `/api/1.0/ttarrivals.aspx?key=bench&mapid=${id}&outputType=JSON` +
      (i % 3 === 1 ? "&max=4" : i % 3 === 2 ? "&rt=red,blue,g" : "")
    );

    // Every path answers with predictions before the load starts.
    const deadline = Date.now() + 60_000;
    for (const path of paths) {
      while (true) {
        const { ctatt } = await (await fetch(`${dashboard.url}${path}`)).json();
        if (ctatt.errCd !== "0") throw new Error(`${path}: ${ctatt.errCd} ${ctatt.errNm}`);
        if (ctatt.eta?.length > 0) break;
        if (Date.now() > deadline) throw new Error(`${path}: no predictions within 60 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const state0 = await (await fetch(`${dashboard.url}/api/state`)).text();
    console.log(
      `state: ${stationIds.length} stations, ${state.trains.length} trains, ` +
        `${state.boards.length} platform boards; /api/state is ${state0.length} bytes; ` +
        `${paths.length} arrivals paths; wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s`,
    );
    console.log(`before: ${loadAverage()}`);
    print("ttarrivals.aspx (mixed mapids)", await wrk(dashboard.url, paths));
    print("peer /api/state", await wrk(dashboard.url, ["/api/state"]));
  } finally {
    await dashboard.stop();
    await producer.disconnect();
    await inputs.close();
  }
}

if (import.meta.main) await main();
