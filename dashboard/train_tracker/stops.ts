/**
 * CTA's stops (platforms) of the simulated lines, from data/stations.csv: which stop id serves a
 * station in each direction of a line, and how Train Tracker describes it.
 *
 * A station has one stop per direction of travel. Which one is direction `a` (towards the line's
 * order 0) or `b` is read from the stop's label, the last parenthesis of its name
 * ("Jarvis (Howard-bound)", "Clark/Lake (Inner Loop)"); a terminal's arrival-only stop
 * ("Terminal arrival") is the other direction's partner.
 */
import { parse } from "csv-parse/sync";
import { type Direction, type Line, LINES } from "../../lib/contracts/enums.ts";

export interface Platform {
  stopId: number;
  stationId: number;
  stationName: string;
  line: Line;
  direction: Direction;
  /** stpDe, e.g. "Service toward Howard". */
  description: string;
}

/** Labels naming each direction's end (Green trains to 63rd take the Inner Loop). */
const BOUND: Record<Line, Record<Direction, RegExp>> = {
  red: { a: /howard/i, b: /95th/i },
  blue: { a: /o'hare-bound/i, b: /forest p(ar)?k/i },
  green: { a: /harlem|outer loop/i, b: /63rd|ashland-bound|inner loop/i },
};

function directionOfLabel(line: Line, stopName: string): Direction | null {
  const label = stopName.match(/\(([^()]*)\)\s*$/)?.[1] ?? "";
  const a = BOUND[line].a.test(label);
  const b = BOUND[line].b.test(label);
  return a === b ? null : a ? "a" : "b";
}

const other = (d: Direction): Direction => (d === "a" ? "b" : "a");

type Row = Record<string, string>;

export class StopTable {
  readonly #platforms = new Map<string, Platform>();
  readonly #byStop = new Map<number, Platform>();
  readonly #byStation = new Map<number, Platform[]>();
  readonly #terminals = new Map<string, number>();

  constructor(platforms: Platform[], terminals: Record<Line, Record<Direction, number>>) {
    for (const p of platforms) {
      this.#platforms.set(StopTable.#key(p.stationId, p.line, p.direction), p);
      this.#byStop.set(p.stopId, p);
      this.#byStation.set(p.stationId, [...(this.#byStation.get(p.stationId) ?? []), p]);
    }
    for (const line of LINES) {
      for (const d of ["a", "b"] as const) this.#terminals.set(`${line}:${d}`, terminals[line][d]);
    }
  }

  static #key(stationId: number, line: Line, direction: Direction) {
    return `${line}:${direction}:${stationId}`;
  }

  platform(stationId: number, line: Line, direction: Direction): Platform | undefined {
    return this.#platforms.get(StopTable.#key(stationId, line, direction));
  }

  stop(stopId: number): Platform | undefined {
    return this.#byStop.get(stopId);
  }

  /** Every stop of a station, on every simulated line it serves. */
  stationPlatforms(stationId: number): readonly Platform[] {
    return this.#byStation.get(stationId) ?? [];
  }

  stationName(stationId: number): string | undefined {
    return this.#byStation.get(stationId)?.[0].stationName;
  }

  /** The station a line ends at in a direction. */
  terminal(line: Line, direction: Direction): number {
    return this.#terminals.get(`${line}:${direction}`)!;
  }
}

function column(row: Row, name: string): string {
  const value = row[name];
  if (value === undefined || value === "") {
    throw new Error(`stations.csv: column "${name}" is empty in ${JSON.stringify(row)}`);
  }
  return value;
}

export function parseStopTable(stationsCsv: string): StopTable {
  const rows = parse(stationsCsv, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
  const platforms: Platform[] = [];
  const terminals = {} as Record<Line, Record<Direction, number>>;
  for (const line of LINES) {
    const byStation = new Map<number, Row[]>();
    for (const row of rows) {
      if (row[line]?.toUpperCase() !== "TRUE") continue;
      const id = Number(column(row, "station_id"));
      byStation.set(id, [...(byStation.get(id) ?? []), row]);
    }
    const ordered = [...byStation.entries()].sort((x, y) =>
      Number(column(x[1][0], "order")) - Number(column(y[1][0], "order"))
    );
    if (ordered.length < 2) throw new Error(`stations.csv: the ${line} line has no two stations`);
    const first = ordered[0], last = ordered[ordered.length - 1];
    terminals[line] = { a: first[0], b: last[0] };
    const description: Record<Direction, string> = {
      a: `Service toward ${column(first[1][0], "station_name")}`,
      b: `Service toward ${column(last[1][0], "station_name")}`,
    };
    for (const [stationId, stops] of ordered) {
      const read = stops.map((row) => directionOfLabel(line, column(row, "stop_name")));
      const known = read.findIndex((d) => d !== null);
      if (stops.length !== 2 || known < 0) {
        throw new Error(`stations.csv: no stop per direction for ${line} station ${stationId}`);
      }
      const directions = known === 0 ? [read[0]!, other(read[0]!)] : [other(read[1]!), read[1]!];
      if (read[1 - known] !== null && read[1 - known] !== directions[1 - known]) {
        throw new Error(`stations.csv: both stops of ${line} station ${stationId} go one way`);
      }
      stops.forEach((row, i) => {
        platforms.push({
          stopId: Number(column(row, "stop_id")),
          stationId,
          stationName: column(row, "station_name"),
          line,
          direction: directions[i],
          description: description[directions[i]],
        });
      });
    }
  }
  return new StopTable(platforms, terminals);
}

const STATIONS_CSV = new URL("../../data/stations.csv", import.meta.url);
let loaded: StopTable | null = null;

/** The table of data/stations.csv, read once. */
export function stopTable(): StopTable {
  loaded ??= parseStopTable(Deno.readTextFileSync(STATIONS_CSV));
  return loaded;
}
