/**
 * Trains moving along a line. A line of n stations is a round trip of 2(n − 1) positions:
 * position p < n − 1 is station p in direction b (towards the end of the order), p ≥ n − 1 is
 * station 2(n − 1) − p in direction a (back towards the start). Moving one position is moving
 * one station; a train reaching a terminal turns round there.
 */
import type { Direction, Line, TrainStatus } from "../../lib/contracts/enums.ts";
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import type { LineStations } from "./data.ts";
import type { Random } from "./prng.ts";

/** An arrival as the train reports it; the step stamps it with the time (see model.ts). */
export type TrainArrival = Omit<ArrivalValue, "event_time">;

export interface Train {
  id: string;
  line: Line;
  position: number;
  status: TrainStatus;
}

/**
 * Per-step chances of a status change. A train that is not in service holds its position for
 * the step and reports again where it stands; an in-service train moves on.
 */
export const STATUS_CHANGES = {
  breakDown: 0.002,
  withdraw: 0.001,
  repair: 0.25,
  returnToService: 0.1,
} as const;

/** A staged fault: the train reports broken_down from `step` for `steps` steps, then runs again. */
export interface BreakDown {
  trainId: string;
  step: number;
  steps: number;
}

/** A staged fault: the train stops reporting from `step` on (it still runs, unseen). */
export interface Silence {
  trainId: string;
  step: number;
}

/**
 * The status staged break-downs impose on a train at a step: broken_down while one lasts,
 * in_service at the step one ends (unless another lasts), otherwise none.
 */
export function imposedStatus(
  breakDowns: readonly BreakDown[],
  trainId: string,
  step: number,
): TrainStatus | undefined {
  const own = breakDowns.filter((b) => b.trainId === trainId);
  if (own.some((b) => step >= b.step && step < b.step + b.steps)) return "broken_down";
  if (own.some((b) => step === b.step + b.steps)) return "in_service";
  return undefined;
}

export function isSilenced(silences: readonly Silence[], trainId: string, step: number): boolean {
  return silences.some((s) => s.trainId === trainId && step >= s.step);
}

export function roundTripLength(stationCount: number): number {
  if (stationCount < 2) throw new Error(`a line needs two stations, got ${stationCount}`);
  return 2 * (stationCount - 1);
}

export function stopAt(
  stationCount: number,
  position: number,
): { index: number; direction: Direction } {
  const length = roundTripLength(stationCount);
  const p = ((position % length) + length) % length;
  return p < stationCount - 1
    ? { index: p, direction: "b" }
    : { index: length - p, direction: "a" };
}

export function trainId(line: Line, number: number): string {
  return `${line[0].toUpperCase()}L${String(number).padStart(3, "0")}`;
}

/** The trains of a line at their start, `floor(2(n − 1) / trains)` positions apart. */
export function placeTrains(line: LineStations, count: number): Train[] {
  const length = roundTripLength(line.stations.length);
  const spacing = Math.floor(length / count);
  return Array.from({ length: count }, (_, i) => ({
    id: trainId(line.line, i),
    line: line.line,
    position: (i * spacing) % length,
    status: "in_service" as TrainStatus,
  }));
}

function arrivalAt(
  train: Train,
  line: LineStations,
  prev: { stationId: number; direction: Direction } | null,
): TrainArrival {
  const stop = stopAt(line.stations.length, train.position);
  return {
    station_id: line.stations[stop.index].stationId,
    train_id: train.id,
    direction: stop.direction,
    line: train.line,
    train_status: train.status,
    prev_station_id: prev?.stationId ?? null,
    prev_direction: prev?.direction ?? null,
  };
}

/** The event of a train's first placement: no previous station. */
export function placementArrival(train: Train, line: LineStations): TrainArrival {
  return arrivalAt(train, line, null);
}

export function nextStatus(status: TrainStatus, random: Random): TrainStatus {
  const draw = random.next();
  switch (status) {
    case "in_service":
      if (draw < STATUS_CHANGES.breakDown) return "broken_down";
      if (draw < STATUS_CHANGES.breakDown + STATUS_CHANGES.withdraw) return "out_of_service";
      return status;
    case "broken_down":
      return draw < STATUS_CHANGES.repair ? "in_service" : status;
    case "out_of_service":
      return draw < STATUS_CHANGES.returnToService ? "in_service" : status;
  }
}

/**
 * One step of a train: its status may change, then it moves one station if in service. An
 * `imposed` status (a staged fault) replaces the drawn one; the draw is made all the same, so
 * that every other train's draws stay as they were.
 */
export function advanceTrain(
  train: Train,
  line: LineStations,
  random: Random,
  imposed?: TrainStatus,
): TrainArrival {
  const here = stopAt(line.stations.length, train.position);
  const prev = { stationId: line.stations[here.index].stationId, direction: here.direction };
  const drawn = nextStatus(train.status, random);
  train.status = imposed ?? drawn;
  if (train.status === "in_service") {
    train.position = (train.position + 1) % roundTripLength(line.stations.length);
  }
  return arrivalAt(train, line, prev);
}
