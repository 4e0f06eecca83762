/**
 * A platform: one direction of one line at a station, and its key as text. Apart from the
 * predictions contract because the browser needs it too, and the contract module brings the
 * Avro library, which needs `node:buffer`, into the browser bundle.
 */
import type { Direction, Line } from "./enums.ts";

export interface PlatformKey {
  station_id: number;
  line: Line;
  direction: Direction;
}

export function platformKey(key: PlatformKey): string {
  return JSON.stringify({ station_id: key.station_id, line: key.line, direction: key.direction });
}
