/**
 * The whole simulated world, one step at a time: trains, turnstile entries and weather. Pure:
 * the events of a step depend only on the data, the options and the seed.
 */
import type { Line } from "../../lib/contracts/enums.ts";
import { type LineStations, type SimData, type Station, turnstileStations } from "./data.ts";
import { Random } from "./prng.ts";
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import {
  advanceTrain,
  type BreakDown,
  imposedStatus,
  isSilenced,
  placementArrival,
  placeTrains,
  type Silence,
  type Train,
} from "./trains.ts";
import { entries } from "./turnstiles.ts";
import { hoursBetween, Weather, type WeatherReading } from "./weather.ts";

export interface ModelOptions {
  /** Milliseconds since the epoch of the first step, normally a UTC midnight. */
  start: number;
  stepMinutes: number;
  trainsPerLine: number;
  seed: number;
  weather: boolean;
  /** Staged faults (`--break-down`, `--silence`); none by default. */
  breakDowns?: readonly BreakDown[];
  silences?: readonly Silence[];
}

export interface StationEntries extends Station {
  line: Line;
  count: number;
}

export interface StepEvents {
  /** 0 for the first step. */
  index: number;
  /** Simulated time of the step, in milliseconds. */
  time: number;
  arrivals: ArrivalValue[];
  /** Entries per station in this step; each entry becomes one turnstile event. */
  entries: StationEntries[];
  weather: WeatherReading[];
}

/** Independent streams from the one seed, so that `--no-weather` leaves trains and entries as they were. */
function stream(seed: number, index: number): Random {
  return new Random(Math.imul((seed ^ 0x9e3779b9) >>> 0, 2654435761 + 2 * index) ^ index);
}

export class Simulation {
  readonly stepMs: number;
  #index = 0;
  readonly #lines: { line: LineStations; trains: Train[] }[];
  readonly #stations: (Station & { line: Line })[];
  readonly #trainRandom: Random;
  readonly #entryRandom: Random;
  readonly #weather: Weather;

  constructor(private readonly data: SimData, private readonly options: ModelOptions) {
    if (!(options.stepMinutes > 0)) throw new Error("the step must be longer than 0 minutes");
    this.stepMs = options.stepMinutes * 60_000;
    this.#lines = data.lines.map((line) => ({
      line,
      trains: placeTrains(line, options.trainsPerLine),
    }));
    const trainIds = new Set(this.#lines.flatMap((l) => l.trains.map((t) => t.id)));
    for (const { trainId } of [...options.breakDowns ?? [], ...options.silences ?? []]) {
      if (!trainIds.has(trainId)) throw new Error(`a staged fault names ${trainId}: no such train`);
    }
    this.#stations = turnstileStations(data.lines);
    this.#trainRandom = stream(options.seed, 0);
    this.#entryRandom = stream(options.seed, 1);
    this.#weather = new Weather(stream(options.seed, 2));
  }

  get stations(): readonly (Station & { line: Line })[] {
    return this.#stations;
  }

  get trainCount(): number {
    return this.#lines.reduce((sum, l) => sum + l.trains.length, 0);
  }

  /** The time of the next step. */
  get time(): number {
    return this.options.start + this.#index * this.stepMs;
  }

  /** The first step places the trains; every later step moves each train once. */
  step(): StepEvents {
    const index = this.#index;
    const time = this.time;
    const arrivals: ArrivalValue[] = [];
    const { breakDowns = [], silences = [] } = this.options;
    for (const { line, trains } of this.#lines) {
      for (const train of trains) {
        const arrival = index === 0 ? placementArrival(train, line) : advanceTrain(
          train,
          line,
          this.#trainRandom,
          imposedStatus(breakDowns, train.id, index),
        );
        if (!isSilenced(silences, train.id, index)) arrivals.push({ ...arrival, event_time: time });
      }
    }
    const date = new Date(time);
    const stationEntries = this.#stations.map((station) => ({
      ...station,
      count: entries(
        this.data.ridership.get(station.stationId),
        this.data.hourShares,
        date,
        this.options.stepMinutes,
        this.#entryRandom,
      ),
    }));
    const weather = this.options.weather
      ? hoursBetween(time, time + this.stepMs).map((hour) => this.#weather.readingAt(hour))
      : [];
    this.#index++;
    return { index, time, arrivals, entries: stationEntries, weather };
  }
}

export function entryCount(step: StepEvents): number {
  return step.entries.reduce((sum, e) => sum + e.count, 0);
}
