/** The simulation's input data from data/: lines of stations, ridership and hourly shares. */
import { parse } from "csv-parse/sync";
import { type Line, LINES } from "../../lib/contracts/enums.ts";

export interface Station {
  stationId: number;
  name: string;
}

export interface LineStations {
  line: Line;
  /** Ordered from the start of the line (order 0) to its other terminal. */
  stations: Station[];
}

export interface Ridership {
  weekday: number;
  saturday: number;
  sundayHoliday: number;
}

export interface SimData {
  lines: LineStations[];
  ridership: Map<number, Ridership>;
  /** Share of a day's riders entering in each hour 0–23. */
  hourShares: number[];
}

type Row = Record<string, string>;

function rows(text: string): Row[] {
  return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
}

function number(row: Row, column: string): number {
  const value = Number(row[column]);
  if (row[column] === undefined || row[column] === "" || !Number.isFinite(value)) {
    throw new Error(`column "${column}" is not a number in row ${JSON.stringify(row)}`);
  }
  return value;
}

/**
 * One list per line: the stations whose row has the line's flag TRUE, one per station_id (a
 * station has a row per platform direction), sorted by that line's `order`.
 */
export function parseLines(stationsCsv: string): LineStations[] {
  const all = rows(stationsCsv);
  return LINES.map((line) => {
    const byId = new Map<number, { station: Station; order: number }>();
    for (const row of all) {
      if (row[line]?.toUpperCase() !== "TRUE") continue;
      const stationId = number(row, "station_id");
      if (!byId.has(stationId)) {
        byId.set(stationId, {
          station: { stationId, name: row.station_name },
          order: number(row, "order"),
        });
      }
    }
    const stations = [...byId.values()]
      .sort((x, y) => x.order - y.order)
      .map((entry) => entry.station);
    return { line, stations };
  });
}

export function parseRidership(ridershipCsv: string): Map<number, Ridership> {
  const result = new Map<number, Ridership>();
  for (const row of rows(ridershipCsv)) {
    result.set(number(row, "station_id"), {
      weekday: number(row, "avg_weekday_rides"),
      saturday: number(row, "avg_saturday_rides"),
      sundayHoliday: number(row, "avg_sunday-holiday_rides"),
    });
  }
  return result;
}

/** Hour shares for hours 0–23; rows for other hours (the file has an hour 24) never apply. */
export function parseHourShares(curveCsv: string): number[] {
  const shares = new Array<number>(24).fill(0);
  for (const row of rows(curveCsv)) {
    const hour = number(row, "hour");
    if (hour >= 0 && hour < 24) shares[hour] = number(row, "ridership_ratio");
  }
  return shares;
}

const DATA_DIR = new URL("../../data/", import.meta.url);

export function loadSimData(dataDir: URL = DATA_DIR): SimData {
  const read = (file: string) => Deno.readTextFileSync(new URL(file, dataDir));
  return {
    lines: parseLines(read("stations.csv")),
    ridership: parseRidership(read("ridership.csv")),
    hourShares: parseHourShares(read("ridership_curve.csv")),
  };
}

/**
 * Every station of the simulation once, with the line its turnstile events carry: the first of
 * red, blue, green that serves it (Clark/Lake is blue, Roosevelt is red).
 */
export function turnstileStations(lines: LineStations[]): (Station & { line: Line })[] {
  const seen = new Map<number, Station & { line: Line }>();
  for (const line of LINES) {
    for (const station of lines.find((l) => l.line === line)?.stations ?? []) {
      if (!seen.has(station.stationId)) seen.set(station.stationId, { ...station, line });
    }
  }
  return [...seen.values()];
}
