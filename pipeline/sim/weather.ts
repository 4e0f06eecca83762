/** Hourly weather readings: a temperature walk by season and a uniformly drawn status. */
import type { Random } from "./prng.ts";

/** The symbols of schemas/weather_value.avsc. */
export const WEATHER_STATUSES = [
  "sunny",
  "partly_cloudy",
  "cloudy",
  "windy",
  "precipitation",
] as const;
export type WeatherStatus = typeof WEATHER_STATUSES[number];

export type Season = "winter" | "summer" | "mild";

export interface WeatherReading {
  /** Milliseconds since the epoch, of the simulated hour. */
  timestamp: number;
  temperature: number;
  status: WeatherStatus;
}

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
