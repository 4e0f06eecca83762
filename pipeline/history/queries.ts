/**
 * What the station page reads from the history tables: one station's hours in a window, such as
 * a Chicago day (`dayStart` inclusive, `dayEnd` exclusive, ms since the epoch). Hours without a
 * row had nothing counted; rows come in hour order.
 *
 *   const sql = postgresClient(config.postgres);
 *   await entriesPerHour(sql, config.historySchema, 40380, day.start, day.end);
 */
import type { Sql } from "../../lib/postgres.ts";
import { qualified } from "./store.ts";

export interface HourlyEntries {
  /** Start of the hour, ms since the epoch. */
  hour: number;
  entries: number;
}

export interface HourlyArrivals {
  hour: number;
  line: string;
  /** `a` or `b`: an hour over `arrivals` is the mean headway that hour in that direction. */
  direction: string;
  arrivals: number;
}

export async function entriesPerHour(
  sql: Sql,
  schema: string,
  stationId: number,
  dayStart: number,
  dayEnd: number,
): Promise<HourlyEntries[]> {
  const rows = await sql<{ hour: Date; entries: string }[]>`
    SELECT hour, entries FROM ${sql(qualified(schema, "entries"))}
    WHERE station_id = ${stationId} AND hour >= ${new Date(dayStart)} AND hour < ${new Date(dayEnd)}
    ORDER BY hour`;
  return rows.map((r) => ({ hour: r.hour.getTime(), entries: Number(r.entries) }));
}

export async function arrivalsPerHour(
  sql: Sql,
  schema: string,
  stationId: number,
  dayStart: number,
  dayEnd: number,
): Promise<HourlyArrivals[]> {
  const rows = await sql<{ hour: Date; line: string; direction: string; arrivals: string }[]>`
    SELECT hour, line, direction, arrivals FROM ${sql(qualified(schema, "arrivals"))}
    WHERE station_id = ${stationId} AND hour >= ${new Date(dayStart)} AND hour < ${new Date(dayEnd)}
    ORDER BY hour, line, direction`;
  return rows.map((r) => ({
    hour: r.hour.getTime(),
    line: r.line,
    direction: r.direction,
    arrivals: Number(r.arrivals),
  }));
}
