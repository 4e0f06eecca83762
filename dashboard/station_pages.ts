/**
 * What the station pages need besides the live state: the ridership facts of data/ and the
 * history of entries. Builds a station's chart for a Chicago day and the search index.
 */
import { chicagoDay, dayTypeOf, formatChicagoDate, hoursOfDay } from "./chicago_time.ts";
import { type EntriesHistory, NO_HISTORY } from "./entries_history.ts";
import { comparisonRows, type StationChart, totalEntries } from "./ridership_chart.ts";
import { readRidershipData, type RidershipData } from "./ridership_data.ts";
import type { DashboardState } from "./state.ts";
import {
  detailFromDescriptiveName,
  searchableStations,
  searchStations,
  type StationMatch,
} from "./station_search.ts";

export interface StationPagesContext {
  ridership: RidershipData;
  history: EntriesHistory;
}

/**
 * The chart of one Chicago day: `day` when given, else the day of the event-time clock (of the
 * wall clock before any train has reported).
 */
export async function stationChart(
  context: StationPagesContext,
  stationId: number,
  clock: number,
  day: { start: number; end: number; date: string } = chicagoDay(clock),
): Promise<StationChart> {
  const dayType = dayTypeOf(day.start);
  const riders = context.ridership.dailyRiders.get(stationId);
  let history: StationChart["history"] = "ok";
  let entries: Awaited<ReturnType<EntriesHistory["entriesPerHour"]>> = [];
  try {
    entries = await context.history.entriesPerHour(stationId, day.start, day.end);
  } catch {
    history = "unavailable";
  }
  const rows = comparisonRows(
    hoursOfDay(day),
    entries,
    riders ? riders[dayType] : null,
    context.ridership.curve,
    history === "ok" ? clock : -Infinity,
  );
  return {
    station_id: stationId,
    date: day.date,
    dateLabel: formatChicagoDate(day.start),
    dayType,
    history,
    rows,
    total: history === "ok" ? totalEntries(rows) : null,
    typicalTotal: riders ? rows.reduce((sum, r) => sum + (r.typical ?? 0), 0) : null,
  };
}

export function findStations(
  context: StationPagesContext,
  state: DashboardState,
  query: string,
): StationMatch[] {
  const details = new Map<number, string>();
  for (const [id, name] of context.ridership.descriptiveNames) {
    details.set(id, detailFromDescriptiveName(name));
  }
  return searchStations(searchableStations(state.lines, details), query);
}

const DATA_DIR = new URL("../data/", import.meta.url);

/** The ridership facts of data/ with the given history (none by default). */
export function stationPagesContext(history: EntriesHistory = NO_HISTORY): StationPagesContext {
  return { ridership: readRidershipData(DATA_DIR), history };
}
