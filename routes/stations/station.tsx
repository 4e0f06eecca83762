/**
 * Station pages: GET /stations/:id (a 404 page with the search for an unknown id), GET /stations?q=
 * (the search without JavaScript), GET /api/stations/search?q= and GET /api/stations/:id/entries
 * (the chart's data; ?day=YYYY-MM-DD, default the day of the event-time clock in Chicago).
 */
import { type Context, Hono } from "hono";
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import type { AppEnv } from "../../dashboard/app_env.ts";
import type { DashboardState } from "../../dashboard/state.ts";
import { chicagoDayOfDate } from "../../dashboard/chicago_time.ts";
import {
  findStations,
  stationChart,
  type StationPagesContext,
} from "../../dashboard/station_pages.ts";
import type { StationMatch } from "../../dashboard/station_search.ts";
import { LINE_LABELS, stationName } from "../../dashboard/station_view.ts";
import App from "../_app.tsx";
import StationPage, { type StationPageProps } from "../../islands/StationPage.tsx";

const NO_STORE = { "Cache-Control": "no-store" };
const STATION_ID = /^[0-9]{1,9}$/;

/** Today on the event-time clock; on the wall clock before any train has reported. */
const clockOf = (state: DashboardState) => state.clock ?? Date.now();

function page(state: DashboardState, title: string, body: ComponentChildren): string {
  return "<!DOCTYPE html>" + renderToString(
    <App alerts={state.alerts} title={title}>{body}</App>,
  );
}

export function renderStationPage(props: StationPageProps, name: string): string {
  return page(
    props.initial,
    name,
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/">&larr; All lines</a>
      </nav>
      <div id="station-page">
        <StationPage {...props} />
      </div>
      <script type="application/json" id="station-state">{JSON.stringify(props)}</script>
    </>,
  );
}

function MatchList({ matches }: { matches: StationMatch[] }) {
  return (
    <ul class="match-list">
      {matches.map((m) => (
        <li key={m.station_id}>
          <a href={`/stations/${m.station_id}`}>{m.name}</a>
          {m.detail && <span class="option-detail">{m.detail}</span>}
          <span class="option-lines">{m.lines.map((l) => LINE_LABELS[l]).join(", ")}</span>
        </li>
      ))}
    </ul>
  );
}

function SearchForm({ query }: { query: string }) {
  return (
    <form
      class="plain-search"
      action="/stations"
      method="get"
      role="search"
      aria-label="Search stations by name"
    >
      <label for="plain-search-input">Station name</label>
      <input id="plain-search-input" name="q" type="search" value={query} />
      <button type="submit" class="search-button">Search</button>
    </form>
  );
}

export function renderSearchPage(state: DashboardState, query: string, matches: StationMatch[]) {
  return page(
    state,
    query ? `Stations matching ${query}` : "Find a station",
    <section class="search-results" aria-labelledby="results-heading">
      <h2 id="results-heading">{query ? `Stations matching “${query}”` : "Find a station"}</h2>
      <SearchForm query={query} />
      {query && matches.length === 0 && <p>No station has a name like that.</p>}
      <MatchList matches={matches} />
    </section>,
  );
}

export function renderNotFoundPage(state: DashboardState, id: string) {
  return page(
    state,
    "Station not found",
    <section class="search-results" aria-labelledby="results-heading">
      <h2 id="results-heading">No station {id}</h2>
      <p>There is no station with that number on the Red, Blue or Green line. Find it by name:</p>
      <SearchForm query="" />
    </section>,
  );
}

export function stationRoutes(context: StationPagesContext): Hono<AppEnv> {
  const live = async (c: Context<AppEnv>) => {
    const { live } = c.get("dashboard");
    await live.whenReplayed();
    return live.snapshot();
  };

  return new Hono<AppEnv>()
    .get("/stations", async (c) => {
      const state = await live(c);
      const query = (c.req.query("q") ?? "").slice(0, 100);
      const matches = findStations(context, state, query);
      return c.html(renderSearchPage(state, query, matches), 200, NO_STORE);
    })
    .get("/stations/:id", async (c) => {
      const state = await live(c);
      const id = c.req.param("id");
      const name = STATION_ID.test(id) ? stationName(state, Number(id)) : null;
      if (name === null) return c.html(renderNotFoundPage(state, id), 404, NO_STORE);
      const stationId = Number(id);
      const chart = await stationChart(context, stationId, clockOf(state));
      return c.html(renderStationPage({ stationId, initial: state, chart }, name), 200, NO_STORE);
    })
    .get("/api/stations/search", async (c) => {
      const query = (c.req.query("q") ?? "").slice(0, 100);
      return c.json({ query, matches: findStations(context, await live(c), query) }, 200, NO_STORE);
    })
    .get("/api/stations/:id/entries", async (c) => {
      const state = await live(c);
      const id = c.req.param("id");
      if (!STATION_ID.test(id) || stationName(state, Number(id)) === null) {
        return c.json({ error: `no station ${id}` }, 404, NO_STORE);
      }
      const dayParam = c.req.query("day");
      const day = dayParam === undefined ? undefined : chicagoDayOfDate(dayParam);
      if (day === null) {
        return c.json(
          { error: `day must be a date as YYYY-MM-DD, got "${dayParam}"` },
          400,
          NO_STORE,
        );
      }
      return c.json(await stationChart(context, Number(id), clockOf(state), day), 200, NO_STORE);
    });
}
