/**
 * Arrival predictions learned from the arrivals stream, free of I/O.
 *
 * A line is its stations in order; a train runs the round trip of 2(n − 1) positions (direction
 * b towards the end of the order, a back), one station per move, and turns at the terminals
 * (see pipeline/sim/trains.ts). Every report of a train that moved is an observation of the
 * travel time from its previous station; each segment's estimate is the median of its latest
 * observations, and a segment never observed takes the median interval between any train's
 * reports. A train's next arrivals are its position walked forward round the trip, summing
 * the estimates from its last report.
 *
 * "Now" is the event-time watermark, the latest event_time seen, never the wall clock: the
 * simulated clock runs at any pace (a step per 5 s, or as fast as possible) and a replay after
 * a restart reads hours of events in a second, so only event time says how long a train has
 * been silent.
 *
 * The state is a function of the set of reports, not of the order they came in (within
 * `historyMs` of a train's latest report): arrivals are keyed by station, so one train's reports
 * lie in several partitions and reach the stage interleaved. A report older than the train's
 * latest still counts as an observation; only the latest places the train. A report seen twice
 * (same train, same event_time) counts once, so a batch processed again changes nothing.
 */
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import type { Direction, Line, TrainStatus } from "../../lib/contracts/enums.ts";
import {
  platformKey,
  type PlatformPredictions,
  type PredictedArrival,
} from "../../lib/contracts/predictions.ts";

export interface ModelOptions {
  /** Trains listed per platform. */
  arrivalsPerPlatform: number;
  /** A train without a report for this long is left out of the predictions. */
  staleAfterMs: number;
  /** ... and forgotten after this long. */
  removeAfterMs: number;
  /** The travel time assumed before any interval between reports has been seen. */
  defaultSegmentMs: number;
  /** A segment's estimate is the median of this many latest observations. */
  segmentSamples: number;
  /** The default travel time is the median of this many latest report intervals. */
  intervalSamples: number;
  /** A train held at a station this many learned travel times is delayed. */
  holdLimit: number;
  /** A train whose last move took this many times the learned travel time is delayed. */
  slowFactor: number;
  /** How far back, in event time, a train's reports are kept. */
  historyMs: number;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  arrivalsPerPlatform: 3,
  staleAfterMs: 15 * 60_000,
  removeAfterMs: 30 * 60_000,
  defaultSegmentMs: 5 * 60_000,
  segmentSamples: 5,
  intervalSamples: 50,
  holdLimit: 2,
  slowFactor: 2,
  historyMs: 60 * 60_000,
};

export interface LineStation {
  station_id: number;
  station_name: string;
}

export interface Report {
  time: number;
  line: Line;
  station_id: number;
  direction: Direction;
  status: TrainStatus;
  prev_station_id: number | null;
}

/** What the alerts need to know of a train. */
export interface TrainView {
  train_id: string;
  latest: Report;
  stale: boolean;
  /** Event time of the first report of its current break-down; null when not broken down. */
  brokenSince: number | null;
}

/** What the alerts need to know of a direction of a line. */
export interface DirectionService {
  line: Line;
  direction: Direction;
  /** Latest event time an in-service train reported an arrival in this direction. */
  lastServedAt: number | null;
  /** Earliest event time of any report on the line: a gap can run from there. */
  watchedSince: number;
}

export type ObserveResult = "applied" | "duplicate" | "no_event_time" | "too_old";

interface Sample {
  time: number;
  ms: number;
}

/** The latest `limit` samples by event time, whatever order they were added in. */
class LatestSamples {
  readonly #samples = new Map<string, Sample>();
  #median: number | undefined | null = null;

  constructor(private readonly limit: number) {}

  set(id: string, sample: Sample): void {
    this.#samples.set(id, sample);
    this.#median = null;
    if (this.#samples.size <= this.limit) return;
    let oldest: string | undefined;
    for (const [key, s] of this.#samples) {
      if (oldest === undefined || s.time < this.#samples.get(oldest)!.time) oldest = key;
    }
    this.#samples.delete(oldest!);
  }

  delete(id: string): void {
    if (this.#samples.delete(id)) this.#median = null;
  }

  /** The lower median, so that it is always one of the samples (a whole number of ms). */
  median(): number | undefined {
    if (this.#median === null) {
      const values = [...this.#samples.values()].map((s) => s.ms).sort((a, b) => a - b);
      this.#median = values[Math.floor((values.length - 1) / 2)];
    }
    return this.#median;
  }
}

/** A run of a train's latest reports that share something, and when it began. */
interface Run {
  key: string;
  since: number;
}

interface TrainState {
  id: string;
  /** Ascending by event time. */
  reports: Report[];
  /** At its current station since (the report it arrived with). */
  here: Run | null;
  broken: Run | null;
  /** Its move into the current station: the segment and how long it took. */
  lastMove: { from: number; to: number; ms: number } | null;
}

interface LineState {
  stations: LineStation[];
  indexOf: Map<number, number>;
}

interface Stop {
  station_id: number;
  direction: Direction;
}

const segmentKey = (line: Line, from: number, to: number) => `${line}:${from}>${to}`;
const sampleId = (trainId: string, time: number) => `${trainId}@${time}`;

export class PredictionModel {
  readonly options: ModelOptions;
  readonly #lines = new Map<Line, LineState>();
  readonly #trains = new Map<string, TrainState>();
  readonly #segments = new Map<string, LatestSamples>();
  /** Which segment each observation went to, so that a late report can take it back. */
  readonly #segmentOf = new Map<string, string>();
  readonly #intervals: LatestSamples;
  readonly #lastServed = new Map<string, number>();
  readonly #watchedSince = new Map<Line, number>();
  #now: number | null = null;

  constructor(options: Partial<ModelOptions> = {}) {
    this.options = { ...DEFAULT_MODEL_OPTIONS, ...options };
    this.#intervals = new LatestSamples(this.options.intervalSamples);
  }

  /** The event-time watermark: the latest event_time seen; null before any. */
  get now(): number | null {
    return this.#now;
  }

  get trainCount(): number {
    return this.#trains.size;
  }

  /** Sets a line's stations, in order; fewer than two stations leave it unpredicted. */
  setLine(line: Line, stations: readonly LineStation[]): void {
    this.#lines.set(line, {
      stations: [...stations],
      indexOf: new Map(stations.map((s, i) => [s.station_id, i])),
    });
  }

  lineStations(line: Line): readonly LineStation[] {
    return this.#lines.get(line)?.stations ?? [];
  }

  stationName(line: Line, stationId: number): string | undefined {
    const state = this.#lines.get(line);
    const index = state?.indexOf.get(stationId);
    return index === undefined ? undefined : state!.stations[index].station_name;
  }

  /** The terminal a train in `direction` runs towards. */
  terminal(line: Line, direction: Direction): LineStation | undefined {
    const stations = this.lineStations(line);
    return direction === "b" ? stations[stations.length - 1] : stations[0];
  }

  /** Folds one arrival in. */
  observe(arrival: ArrivalValue): ObserveResult {
    const time = arrival.event_time;
    if (time === null || time === undefined) return "no_event_time";
    let train = this.#trains.get(arrival.train_id);
    const latest = train?.reports.at(-1);
    if (latest && time < latest.time - this.options.historyMs) return "too_old";
    if (train?.reports.some((r) => r.time === time)) return "duplicate";
    if (!train) {
      train = { id: arrival.train_id, reports: [], here: null, broken: null, lastMove: null };
      this.#trains.set(train.id, train);
    }
    const report: Report = {
      time,
      line: arrival.line,
      station_id: arrival.station_id,
      direction: arrival.direction,
      status: arrival.train_status,
      prev_station_id: arrival.prev_station_id,
    };
    let at = train.reports.length;
    while (at > 0 && train.reports[at - 1].time > time) at--;
    train.reports.splice(at, 0, report);
    this.#learnAt(train, at);
    if (at + 1 < train.reports.length) this.#learnAt(train, at + 1);
    this.#trim(train);
    this.#updateRuns(train);

    this.#now = Math.max(this.#now ?? time, time);
    this.#watchedSince.set(
      report.line,
      Math.min(this.#watchedSince.get(report.line) ?? time, time),
    );
    if (report.status === "in_service") {
      const key = `${report.line}:${report.direction}`;
      this.#lastServed.set(key, Math.max(this.#lastServed.get(key) ?? time, time));
    }
    return "applied";
  }

  /** Forgets trains silent for `removeAfterMs`; returns their ids. */
  expire(): string[] {
    const now = this.#now;
    if (now === null) return [];
    const gone: string[] = [];
    for (const [id, train] of this.#trains) {
      if (now - train.reports.at(-1)!.time >= this.options.removeAfterMs) gone.push(id);
    }
    for (const id of gone) {
      for (const r of this.#trains.get(id)!.reports) this.#segmentOf.delete(sampleId(id, r.time));
      this.#trains.delete(id);
    }
    return gone;
  }

  /** The learned travel time from one station to the next; the default when never observed. */
  segmentMs(line: Line, from: number, to: number): number {
    return this.#segments.get(segmentKey(line, from, to))?.median() ?? this.defaultSegmentMs();
  }

  /** The median interval between consecutive reports of a train, or the configured default. */
  defaultSegmentMs(): number {
    return this.#intervals.median() ?? this.options.defaultSegmentMs;
  }

  trains(): TrainView[] {
    const now = this.#now ?? 0;
    return [...this.#trains.values()].map((train) => {
      const latest = train.reports.at(-1)!;
      return {
        train_id: train.id,
        latest,
        stale: now - latest.time >= this.options.staleAfterMs,
        brokenSince: train.broken?.since ?? null,
      };
    });
  }

  /** Every direction of every line a report has been seen on. */
  service(): DirectionService[] {
    return [...this.#watchedSince].flatMap(([line, watchedSince]) =>
      (["a", "b"] as const).map((direction) => ({
        line,
        direction,
        lastServedAt: this.#lastServed.get(`${line}:${direction}`) ?? null,
        watchedSince,
      }))
    );
  }

  /** The next trains of every platform some fresh train will reach, by platform key. */
  predictions(): Map<string, PlatformPredictions> {
    const result = new Map<string, PlatformPredictions>();
    const now = this.#now;
    if (now === null) return result;
    const candidates = new Map<string, { stop: Stop; line: Line; arrivals: PredictedArrival[] }>();
    for (const train of this.#trains.values()) {
      const latest = train.reports.at(-1)!;
      if (now - latest.time >= this.options.staleAfterMs) continue;
      if (latest.status === "out_of_service") continue;
      const line = this.#lines.get(latest.line);
      if (!line || line.stations.length < 2) continue;
      const start = this.#position(line, latest);
      if (start === null) continue;
      const length = 2 * (line.stations.length - 1);
      const flags = {
        delayed: this.#isDelayed(train, line, start),
        broken_down: latest.status === "broken_down",
      };
      let arrivalTime = latest.time;
      let from = this.#stopAt(line, start);
      for (let k = 1; k <= length; k++) {
        const to = this.#stopAt(line, start + k);
        arrivalTime += this.segmentMs(latest.line, from.station_id, to.station_id);
        const key = platformKey({ ...to, line: latest.line });
        let platform = candidates.get(key);
        if (!platform) {
          candidates.set(key, platform = { stop: to, line: latest.line, arrivals: [] });
        }
        platform.arrivals.push({
          train_id: train.id,
          arrival_time: arrivalTime,
          from_station_id: latest.station_id,
          reported_at: latest.time,
          stops_away: k - 1,
          destination_station_id: this.terminal(latest.line, to.direction)!.station_id,
          ...flags,
        });
        from = to;
      }
    }
    for (const [key, { stop, line, arrivals }] of candidates) {
      arrivals.sort((x, y) =>
        x.arrival_time - y.arrival_time || (x.train_id < y.train_id ? -1 : 1)
      );
      result.set(key, {
        station_id: stop.station_id,
        line,
        direction: stop.direction,
        generated_at: now,
        arrivals: arrivals.slice(0, this.options.arrivalsPerPlatform),
      });
    }
    return result;
  }

  /** Held past `holdLimit` learned travel times, or its last move took `slowFactor` times too long. */
  #isDelayed(train: TrainState, line: LineState, position: number): boolean {
    const latest = train.reports.at(-1)!;
    const next = this.#stopAt(line, position + 1);
    const ahead = this.segmentMs(latest.line, latest.station_id, next.station_id);
    const held = latest.time - (train.here?.since ?? latest.time);
    if (held >= this.options.holdLimit * ahead) return true;
    const move = train.lastMove;
    return move !== null &&
      move.ms >= this.options.slowFactor * this.segmentMs(latest.line, move.from, move.to);
  }

  /** The round-trip position of a report; null when its station is not on the line. */
  #position(line: LineState, report: Report): number | null {
    const index = line.indexOf.get(report.station_id);
    if (index === undefined) return null;
    const length = 2 * (line.stations.length - 1);
    return (report.direction === "b" ? index : length - index) % length;
  }

  #stopAt(line: LineState, position: number): Stop {
    const n = line.stations.length;
    const length = 2 * (n - 1);
    const p = position % length;
    return p < n - 1
      ? { station_id: line.stations[p].station_id, direction: "b" }
      : { station_id: line.stations[length - p].station_id, direction: "a" };
  }

  /**
   * The observations that the report at `index` makes with the one before it: the interval
   * between them, and if it moved one station, the segment's travel time. Replaces what an
   * earlier neighbour made for the same report.
   */
  #learnAt(train: TrainState, index: number): void {
    const report = train.reports[index];
    const id = sampleId(train.id, report.time);
    this.#intervals.delete(id);
    const segment = this.#segmentOf.get(id);
    if (segment !== undefined) {
      this.#segments.get(segment)?.delete(id);
      this.#segmentOf.delete(id);
    }
    const before = train.reports[index - 1];
    if (!before || before.line !== report.line) return;
    const ms = report.time - before.time;
    // A train silent long enough to go stale may have moved unseen.
    if (ms <= 0 || ms >= this.options.staleAfterMs) return;
    this.#intervals.set(id, { time: report.time, ms });
    const moved = before.station_id !== report.station_id &&
      report.prev_station_id === before.station_id;
    if (!moved) return;
    const key = segmentKey(report.line, before.station_id, report.station_id);
    let samples = this.#segments.get(key);
    if (!samples) this.#segments.set(key, samples = new LatestSamples(this.options.segmentSamples));
    samples.set(id, { time: report.time, ms });
    this.#segmentOf.set(id, key);
  }

  #trim(train: TrainState): void {
    const oldest = train.reports.at(-1)!.time - this.options.historyMs;
    const drop = train.reports.findIndex((r) => r.time >= oldest);
    if (drop <= 0) return;
    for (const r of train.reports.splice(0, drop)) {
      this.#segmentOf.delete(sampleId(train.id, r.time));
    }
  }

  #updateRuns(train: TrainState): void {
    const latest = train.reports.at(-1)!;
    const placeOf = (r: Report) => `${r.line}:${r.station_id}:${r.direction}`;
    train.here = trailingRun(train.reports, placeOf, train.here);
    train.broken = trailingRun(
      train.reports,
      (r) => r.status === "broken_down" ? "broken_down" : null,
      train.broken,
    );
    const first = train.reports.findIndex((r) => r.time === train.here!.since);
    const before = train.reports[first - 1];
    const arrived = train.reports[first];
    train.lastMove = before && arrived.prev_station_id === before.station_id &&
        before.station_id !== latest.station_id
      ? { from: before.station_id, to: arrived.station_id, ms: arrived.time - before.time }
      : null;
  }
}

/**
 * The run of latest reports with the latest one's key (null: no run), and when it began. A run
 * that reaches back to the oldest kept report may have begun earlier: the earlier start of the
 * same run is kept.
 */
function trailingRun(
  reports: readonly Report[],
  keyOf: (report: Report) => string | null,
  previous: Run | null,
): Run | null {
  const key = keyOf(reports.at(-1)!);
  if (key === null) return null;
  let first = reports.length - 1;
  while (first > 0 && keyOf(reports[first - 1]) === key) first--;
  const since = reports[first].time;
  if (first === 0 && previous?.key === key) {
    return { key, since: Math.min(previous.since, since) };
  }
  return { key, since };
}
