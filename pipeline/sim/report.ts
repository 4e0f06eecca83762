/** What a run produced, summed up for `--report`: tests compare it with the topics. */
import { entryCount, type StepEvents } from "./model.ts";

export interface StationTally {
  turnstiles: number;
  arrivals: number;
}

export interface SimulationReport {
  seed: number;
  start: string;
  stepMinutes: number;
  steps: number;
  trains: number;
  topics: { arrivals: string; turnstiles: string; weather: string | null };
  totals: { turnstiles: number; arrivals: number; weather: number };
  /** By station_id. */
  stations: Record<string, StationTally>;
  /** Timestamps (ms) of the weather readings posted. */
  weather: number[];
}

export class ReportBuilder {
  readonly #stations = new Map<number, StationTally>();
  readonly #weather: number[] = [];
  #steps = 0;
  #turnstiles = 0;
  #arrivals = 0;

  #tally(stationId: number): StationTally {
    let tally = this.#stations.get(stationId);
    if (!tally) {
      tally = { turnstiles: 0, arrivals: 0 };
      this.#stations.set(stationId, tally);
    }
    return tally;
  }

  /** Counts a step once all of its events are acknowledged. */
  add(step: StepEvents): void {
    this.#steps++;
    for (const e of step.entries) this.#tally(e.stationId).turnstiles += e.count;
    for (const a of step.arrivals) this.#tally(a.station_id).arrivals++;
    this.#turnstiles += entryCount(step);
    this.#arrivals += step.arrivals.length;
    this.#weather.push(...step.weather.map((w) => w.timestamp));
  }

  get steps(): number {
    return this.#steps;
  }

  build(
    meta: Omit<SimulationReport, "totals" | "stations" | "weather" | "steps">,
  ): SimulationReport {
    const ids = [...this.#stations.keys()].sort((a, b) => a - b);
    return {
      ...meta,
      steps: this.#steps,
      totals: {
        turnstiles: this.#turnstiles,
        arrivals: this.#arrivals,
        weather: this.#weather.length,
      },
      stations: Object.fromEntries(ids.map((id) => [String(id), { ...this.#stations.get(id)! }])),
      weather: [...this.#weather],
    };
  }
}
