/**
 * Station search by name: case- and diacritic-insensitive, best matches first (the whole name,
 * then a name starting with the query, then a word of it starting with the query, then the query
 * anywhere in it). One result per station_id, with the lines that serve it. Pure.
 */
import { type Line, LINES } from "../lib/contracts/enums.ts";
import type { DashboardState } from "./state.ts";

export interface StationMatch {
  station_id: number;
  name: string;
  lines: Line[];
  /** Tells stations of one name apart ("O'Hare Branch"); absent when the name is unique. */
  detail?: string;
}

export const SEARCH_LIMIT = 8;

/** Lower case, accents removed, runs of anything but letters and digits as one space. */
export function normalizeName(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Every station once, with its lines in the board's order. */
export function searchableStations(
  lines: DashboardState["lines"],
  details: ReadonlyMap<number, string> = new Map(),
): StationMatch[] {
  const byId = new Map<number, StationMatch>();
  for (const line of LINES) {
    for (const station of lines[line]) {
      const known = byId.get(station.station_id);
      if (known) {
        if (!known.lines.includes(line)) known.lines.push(line);
      } else {
        byId.set(station.station_id, {
          station_id: station.station_id,
          name: station.station_name,
          lines: [line],
        });
      }
    }
  }
  const stations = [...byId.values()];
  const nameCounts = new Map<string, number>();
  for (const s of stations) {
    const key = normalizeName(s.name);
    nameCounts.set(key, (nameCounts.get(key) ?? 0) + 1);
  }
  for (const s of stations) {
    const detail = details.get(s.station_id);
    if (detail && (nameCounts.get(normalizeName(s.name)) ?? 0) > 1) s.detail = detail;
  }
  return stations;
}

/** 0 (best) to 3, or null when the name does not match. */
export function matchRank(name: string, query: string): number | null {
  const n = normalizeName(name);
  const q = normalizeName(query);
  if (q === "") return null;
  if (n === q) return 0;
  if (n.startsWith(q)) return 1;
  if (n.split(" ").some((_, i, words) => words.slice(i).join(" ").startsWith(q))) return 2;
  if (n.replaceAll(" ", "").includes(q.replaceAll(" ", ""))) return 3;
  return null;
}

export function searchStations(
  stations: readonly StationMatch[],
  query: string,
  limit = SEARCH_LIMIT,
): StationMatch[] {
  const ranked: { station: StationMatch; rank: number }[] = [];
  const seen = new Set<number>();
  for (const station of stations) {
    if (seen.has(station.station_id)) continue;
    const rank = matchRank(station.name, query);
    if (rank === null) continue;
    seen.add(station.station_id);
    ranked.push({ station, rank });
  }
  ranked.sort((x, y) =>
    x.rank - y.rank || x.station.name.localeCompare(y.station.name) ||
    x.station.station_id - y.station.station_id
  );
  return ranked.slice(0, limit).map((r) => r.station);
}

/**
 * "(Blue Line - O'Hare Branch)" → "O'Hare Branch": the part of the CTA's descriptive name that
 * tells two stations of one name apart, or the descriptive name when it has no such part.
 */
export function detailFromDescriptiveName(descriptive: string): string {
  const inner = /\(([^)]*)\)\s*$/.exec(descriptive)?.[1];
  if (!inner) return descriptive;
  const dash = inner.lastIndexOf(" - ");
  return dash >= 0 ? inner.slice(dash + 3) : inner;
}
