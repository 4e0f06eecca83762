import { Component } from "preact";
import type { Line } from "../lib/contracts/enums.ts";
import {
  type DashboardState,
  type Station,
  type Train,
  trainsByPlatform,
} from "../dashboard/state.ts";
import { countOf, formatCount } from "../dashboard/format.ts";
import {
  type FreshnessPolicy,
  reportedAgo,
  trainDescription,
  trainFreshness,
  trainStateWords,
} from "../dashboard/freshness.ts";
import { LineDiagram } from "./LineDiagram.tsx";

export const LINE_STYLES: Record<Line, { name: string; color: string }> = {
  red: { name: "Red Line", color: "#c60c30" },
  blue: { name: "Blue Line", color: "#00a1de" },
  green: { name: "Green Line", color: "#009b3a" },
};

interface TrainView {
  clock: number | null;
  freshness: FreshnessPolicy;
}

/** A train: its number, its status in words, and when it last reported. */
function TrainTag({ train, clock, freshness }: { train: Train } & TrainView) {
  const state = trainFreshness(train, clock, freshness);
  const ago = reportedAgo(train, clock);
  return (
    <span
      class={`train-tag train-tag-${state}`}
      data-train={train.train_id}
      data-freshness={state}
      title={trainDescription(train, clock, freshness)}
    >
      <span class={`badge badge-${train.status}`}>{train.train_id}</span>
      <span class="train-words">
        <span class="train-state">{trainStateWords(train, clock, freshness)}</span>
        <span class="train-ago">
          {ago === "time unknown" ? "report time unknown" : `last reported ${ago}`}
        </span>
      </span>
    </span>
  );
}

function TrainCell({ label, trains, ...view }: { label: string; trains: Train[] } & TrainView) {
  return (
    <td class={trains.length ? "trains" : "trains none"} data-label={label}>
      {trains.length === 0
        ? <span class="no-train" aria-label="no train">&middot;</span>
        : trains.map((t) => <TrainTag key={t.train_id} train={t} {...view} />)}
    </td>
  );
}

interface StationRowProps extends TrainView {
  station: Station;
  towardFirst: { label: string; trains: Train[] };
  towardLast: { label: string; trains: Train[] };
  entries: number;
  /** Everything the row shows, as text: the row renders again only when it changes. */
  shows: string;
}

/**
 * One station's row. The live state changes in place many times a second, mostly elsewhere on
 * the board, so rows compare what they show instead of diffing their cells every render.
 */
class StationRow extends Component<StationRowProps> {
  override shouldComponentUpdate(next: StationRowProps): boolean {
    return next.shows !== this.props.shows;
  }

  override render() {
    const { station, towardFirst, towardLast, entries, clock, freshness } = this.props;
    const view = { clock, freshness };
    return (
      <tr data-station={station.station_id}>
        <th scope="row" class="station-name">{station.station_name}</th>
        <TrainCell label={towardFirst.label} trains={towardFirst.trains} {...view} />
        <TrainCell label={towardLast.label} trains={towardLast.trains} {...view} />
        <td class="num entries" data-testid={`count-${station.station_id}`}>
          {formatCount(entries)}
        </td>
      </tr>
    );
  }
}

/** What a platform's trains look like to a rider: who is there, in what state, since when. */
function platformShows(trains: Train[], view: TrainView): string {
  return trains.map((t) =>
    `${t.train_id}:${t.status}:${trainFreshness(t, view.clock, view.freshness)}:${
      reportedAgo(t, view.clock)
    }`
  ).join(",");
}

export function LineCard(
  { line, state, freshness }: { line: Line; state: DashboardState; freshness: FreshnessPolicy },
) {
  const { name, color } = LINE_STYLES[line];
  const stations = state.lines[line];
  const trains = Object.values(state.trains).filter((t) => t.line === line);
  const trainsAt = trainsByPlatform(state, line);
  const notReporting =
    trains.filter((t) => trainFreshness(t, state.clock, freshness) !== "fresh").length;
  const entries = stations.reduce((sum, s) => sum + (state.turnstiles[s.station_id] ?? 0), 0);
  const first = stations[0]?.station_name;
  const last = stations[stations.length - 1]?.station_name;
  const view = { clock: state.clock, freshness };
  return (
    <section class={`line line-${line}`} data-line={line} aria-labelledby={`line-${line}-title`}>
      <header class="line-header">
        <h2 id={`line-${line}-title`}>{name}</h2>
        <p class="line-summary">
          <span>{countOf(trains.length, "train")}</span>
          {notReporting > 0 && (
            <span class="not-reporting" data-testid={`not-reporting-${line}`}>
              {notReporting} not reporting
            </span>
          )}
          <span>{countOf(stations.length, "station")}</span>
          <span data-testid={`entries-${line}`}>{countOf(entries, "entry", "entries")}</span>
        </p>
      </header>
      {stations.length === 0 ? <p class="empty">Waiting for station data&hellip;</p> : (
        <>
          <p class="terminals">
            <span>{first}</span>
            <span aria-hidden="true">&harr;</span>
            <span>{last}</span>
          </p>
          <div class="diagram-scroll">
            <LineDiagram
              line={line}
              stations={stations}
              trains={trains}
              color={color}
              {...view}
            />
          </div>
          <table class="stations">
            <thead>
              <tr>
                <th scope="col">Station</th>
                <th scope="col">To {first}</th>
                <th scope="col">To {last}</th>
                <th scope="col" class="num">Entries</th>
              </tr>
            </thead>
            <tbody>
              {stations.map((s) => {
                const towardFirst = { label: `To ${first}`, trains: trainsAt(s.station_id, "a") };
                const towardLast = { label: `To ${last}`, trains: trainsAt(s.station_id, "b") };
                const entries = state.turnstiles[s.station_id] ?? 0;
                return (
                  <StationRow
                    key={s.station_id}
                    station={s}
                    towardFirst={towardFirst}
                    towardLast={towardLast}
                    entries={entries}
                    shows={`${s.station_name}|${entries}|${
                      platformShows(towardFirst.trains, view)
                    }|${platformShows(towardLast.trains, view)}|${first}|${last}`}
                    {...view}
                  />
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
