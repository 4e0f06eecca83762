/** Hourly weather readings: a temperature walk by season and a uniformly drawn status. */
import { WEATHER_STATUSES } from "../../lib/contracts/enums.ts";
import type { WeatherKey, WeatherValue } from "../../lib/contracts/weather.ts";
import type { Random } from "./prng.ts";

export type Season = "winter" | "summer" | "mild";

/** A reading's key and value; the timestamp is the simulated hour's. */
export type WeatherReading = WeatherKey & WeatherValue;

/** Winter is November to March, summer June to August (months of a UTC date). */
export function seasonOf(date: Date): Season {
  const month = date.getUTCMonth() + 1;
  if (month >= 11 || month <= 3) return "winter";
  if (month >= 6 && month <= 8) return "summer";
  return "mild";
}

export const START_TEMPERATURE: Record<Season, number> = { winter: 40, summer: 85, mild: 70 };
const STEP_MODE: Record<Season, number> = { winter: -1, summer: 1, mild: 0 };
export const HOURLY_STEP = { min: -10, max: 10 } as const;

export const HOUR_MS = 3_600_000;

/**
 * The weather as the simulated clock passes each hour. The first reading has the start
 * temperature of the start's season; each later hour adds a triangular step.
 */
export class Weather {
  #temperature: number | undefined;
  constructor(private readonly random: Random) {}

  readingAt(timestamp: number): WeatherReading {
    const season = seasonOf(new Date(timestamp));
    if (this.#temperature === undefined) {
      this.#temperature = START_TEMPERATURE[season];
    } else {
      this.#temperature += this.random.triangular(
        HOURLY_STEP.min,
        HOURLY_STEP.max,
        STEP_MODE[season],
      );
    }
    return {
      timestamp,
      temperature: this.#temperature,
      status: this.random.pick(WEATHER_STATUSES),
    };
  }
}

/** The top-of-hour instants in [from, to), in milliseconds. */
export function hoursBetween(from: number, to: number): number[] {
  const hours: number[] = [];
  for (let t = Math.ceil(from / HOUR_MS) * HOUR_MS; t < to; t += HOUR_MS) hours.push(t);
  return hours;
}
