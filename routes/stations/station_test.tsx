import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "../../dashboard/app_env.ts";
import { LiveState } from "../../dashboard/live_state.ts";
import { provideDashboard, securityHeaders } from "../../dashboard/middleware.ts";
import { type EntriesHistory, HistoryUnavailable } from "../../dashboard/entries_history.ts";
import { stationPagesContext } from "../../dashboard/station_pages.ts";
import type { Change } from "../../dashboard/state.ts";
import { stationRoutes } from "./station.tsx";

// Saturday December 5, 2026, 4:20 PM in Chicago.
const CLOCK = Date.UTC(2026, 11, 5, 22, 20);
const DAY_START = Date.UTC(2026, 11, 5, 6);
const HOUR = 3_600_000;

const CHANGES: Change[] = [
  {
    kind: "station",
    line: "red",
    station: { station_id: 40900, station_name: "Howard", order: 0 },
  },
  {
    kind: "station",
    line: "red",
    station: { station_id: 41400, station_name: "Roosevelt", order: 1 },
  },
  {
    kind: "station",
    line: "green",
    station: { station_id: 41400, station_name: "Roosevelt", order: 0 },
  },
  {
    kind: "station",
    line: "blue",
    station: { station_id: 40750, station_name: "Harlem", order: 0 },
  },
  {
    kind: "station",
    line: "blue",
    station: { station_id: 40980, station_name: "Harlem", order: 1 },
  },
  {
    kind: "train",
    train: {
      train_id: "RL001",
      line: "red",
      station_id: 40900,
      direction: "b",
      status: "in_service",
      reported_at: CLOCK,
    },
  },
  { kind: "turnstile", station_id: 41400, count: 4321 },
  {
    kind: "predictions",
    platform: {
      station_id: 41400,
      line: "red",
      direction: "b",
      generated_at: CLOCK,
      arrivals: [{
        train_id: "RL001",
        arrival_time: CLOCK + 90_000,
        from_station_id: 40900,
        reported_at: CLOCK,
        stops_away: 0,
        destination_station_id: 41400,
        delayed: true,
        broken_down: false,
      }],
    },
  },
  {
    kind: "alert",
    alert: {
      alert_id: "breakdown:RL009",
      kind: "breakdown",
      line: "red",
      direction: "a",
      train_id: "RL009",
      station_id: 40900,
      raised_at: CLOCK - 60_000,
      message: "Red Line train RL009 has broken down at Howard.",
    },
  },
];

function makeApp(history: EntriesHistory) {
  const live = new LiveState({ maxClients: 5, windowMs: 5 });
  live.apply(CHANGES, CLOCK);
  const followers = { health: () => Promise.reject(new Error("unused")) };
  const app = new Hono<AppEnv>()
    .use(securityHeaders, provideDashboard({ live, followers, ops: { view: () => ({}) } } as never))
    .route("/", stationRoutes(stationPagesContext(history)));
  return { app, live };
}

const recorded: [number, number, number][] = [];
const history: EntriesHistory = {
  entriesPerHour(stationId, start, end) {
    recorded.push([stationId, start, end]);
    return Promise.resolve([
      { hour: DAY_START + 8 * HOUR, entries: 700 },
      { hour: DAY_START + 16 * HOUR, entries: 45 },
    ]);
  },
  close: () => Promise.resolve(),
};
const downHistory: EntriesHistory = {
  entriesPerHour: () => Promise.reject(new HistoryUnavailable("connection refused")),
  close: () => Promise.resolve(),
};

Deno.test("a station page: name, lines, next trains in words, entries and the chart", async () => {
  const { app, live } = makeApp(history);
  const res = await app.request("/stations/41400");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<title>Roosevelt · CTA Transit Status<\/title>/);
  assert.match(html, /<h2 id="station-name">Roosevelt<\/h2>/);
  assert.match(html, /Red Line<\/span>.*Green Line<\/span>/s);
  assert.match(html, /Approaching<\/span>/);
  assert.match(html, /<span class="arrival-condition">Delayed<\/span>/);
  assert.match(html, /data-testid="entries-today">745</);
  assert.match(html, /data-testid="entries-feed">4,321</);
  assert.match(html, /<svg class="chart"[^>]*role="img"/);
  assert.match(
    html,
    /<title id="chart-title-41400">Entries per hour on Saturday, December 5, 2026/,
  );
  assert.match(html, /Red Line: Train broken down/);
  assert.match(html, /aria-live="polite"/);
  assert.deepEqual(recorded.at(-1), [41400, DAY_START, DAY_START + 24 * HOUR]);
  live.hub.close();
});

Deno.test("with the history down the page still renders and says so", async () => {
  const { app, live } = makeApp(downHistory);
  const res = await app.request("/stations/41400");
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /History unavailable/);
  assert.match(html, /data-testid="entries-today">unavailable</);
  const chart = await (await app.request("/api/stations/41400/entries")).json();
  assert.equal(chart.history, "unavailable");
  assert.equal(chart.total, null);
  assert.equal(chart.rows.length, 24);
  live.hub.close();
});

Deno.test("an unknown or malformed station id gets a 404 page with the search", async () => {
  const { app, live } = makeApp(history);
  for (const id of ["12345", "abc", "1e3"]) {
    const res = await app.request(`/stations/${id}`);
    assert.equal(res.status, 404, id);
    const html = await res.text();
    assert.match(html, /action="\/stations"/);
  }
  assert.equal((await app.request("/api/stations/99/entries")).status, 404);
  live.hub.close();
});

Deno.test("search: JSON for the combobox, and a page of links without JavaScript", async () => {
  const { app, live } = makeApp(history);
  const json = await (await app.request("/api/stations/search?q=HARL")).json();
  assert.deepEqual(
    json.matches.map((m: { station_id: number; detail?: string }) => [m.station_id, m.detail]),
    [[40750, "O'Hare Branch"], [40980, "Forest Park Branch"]],
  );
  const page = await (await app.request("/stations?q=roose")).text();
  assert.match(page, /<a href="\/stations\/41400">Roosevelt<\/a>/);
  const none = await (await app.request("/stations?q=zzz")).text();
  assert.match(none, /No station has a name like that/);
  live.hub.close();
});

Deno.test("entries of a given day; a day that is not a date is refused", async () => {
  const { app, live } = makeApp(history);
  const res = await app.request("/api/stations/41400/entries?day=2026-12-04");
  const chart = await res.json();
  assert.equal(chart.date, "2026-12-04");
  assert.equal(chart.dayType, "weekday");
  assert.deepEqual(recorded.at(-1), [41400, DAY_START - 24 * HOUR, DAY_START]);
  assert.equal((await app.request("/api/stations/41400/entries?day=friday")).status, 400);
  live.hub.close();
});
