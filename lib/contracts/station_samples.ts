/** Rows of the `stations` table for tests: one sample, and the project's whole data file. */
import { parse } from "csv-parse/sync";
import type { StationRow } from "./stations.ts";

/** Clark/Lake's Blue Line stop, with any fields changed. */
export function sampleStationRow(overrides: Partial<StationRow> = {}): StationRow {
  return {
    stop_id: 30374,
    station_id: 40380,
    station_name: "Clark/Lake",
    order: 16,
    red: false,
    blue: true,
    green: false,
    ...overrides,
  };
}

/** Every row of data/stations.csv, as the table holds it. */
export function projectStationRows(): StationRow[] {
  const records: Record<string, string>[] = parse(
    Deno.readTextFileSync(new URL("../../data/stations.csv", import.meta.url)),
    { columns: true },
  );
  return records.map((r) => ({
    stop_id: Number(r.stop_id),
    station_id: Number(r.station_id),
    station_name: r.station_name,
    order: Number(r.order),
    red: r.red === "TRUE",
    blue: r.blue === "TRUE",
    green: r.green === "TRUE",
  }));
}
