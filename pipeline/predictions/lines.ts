/**
 * The stations of each line, in order, as the predictions stage learns them: from
 * org.chicago.cta.stations.transformed, the system's source of truth, read from its beginning
 * and followed. A line the topic holds no station of (the stations stage has not run in this
 * namespace) falls back to data/stations.csv, as the simulation reads it.
 */
import { type Line, LINES } from "../../lib/contracts/enums.ts";
import {
  STATIONS_TRANSFORMED,
  type TransformedStation,
} from "../../lib/contracts/stations_transformed.ts";
import type { LineStations } from "../sim/data.ts";
import type { LineStation } from "./model.ts";

export type LineSource = "topic" | "data";

export class LineIndex {
  /** By `<station_id>:<line>`. */
  readonly #stations = new Map<string, TransformedStation>();
  readonly #fallback: Map<Line, LineStation[]>;

  constructor(fallback: readonly LineStations[] = []) {
    this.#fallback = new Map(
      fallback.map(({ line, stations }) => [
        line,
        stations.map((s) => ({ station_id: s.stationId, station_name: s.name })),
      ]),
    );
  }

  /**
   * Folds in a record of the transformed stations topic; returns the lines it may have
   * changed. Throws on a record that is not the contract's (the caller skips it).
   */
  apply(key: string | null, value: string | null): Line[] {
    if (key === null) throw new Error("a record without a key");
    const parsedKey = STATIONS_TRANSFORMED.key.parse(JSON.parse(key));
    if (value === null) {
      const lines = parsedKey.line ? [parsedKey.line] : [...LINES];
      for (const line of lines) this.#stations.delete(`${parsedKey.station_id}:${line}`);
      return lines;
    }
    const station = STATIONS_TRANSFORMED.value.parse(JSON.parse(value));
    const line = parsedKey.line ?? station.line;
    const id = `${parsedKey.station_id}:${line}`;
    this.#stations.set(id, { ...station, line });
    return [line];
  }

  /** A line's stations in order, and where they came from. */
  stations(line: Line): { stations: LineStation[]; source: LineSource } {
    const fromTopic = [...this.#stations.values()]
      .filter((s) => s.line === line)
      .sort((x, y) => x.order - y.order || x.station_id - y.station_id)
      .map(({ station_id, station_name }) => ({ station_id, station_name }));
    if (fromTopic.length > 0) return { stations: fromTopic, source: "topic" };
    return { stations: this.#fallback.get(line) ?? [], source: "data" };
  }
}
