/**
 * How fresh a train's last report is, and the words a rider reads for it. Pure, and measured
 * against the event-time clock (`DashboardState.clock`), never the wall clock: the simulation
 * runs at its own pace, and the server render and the browser must agree.
 *
 * A record written before arrivals carried event_time has `reported_at` null. The server counts
 * such a train as reported at the clock when the record is applied (or, if no clock is known yet,
 * when the first one is), so that it goes stale and is removed like any other; see
 * `freshnessChanges`. Until a clock exists its age is unknown and it counts as fresh.
 */
import type { TrainStatus } from "../lib/contracts/enums.ts";
import type { Change, DashboardState, Train } from "./state.ts";

export interface FreshnessPolicy {
  /** A train whose last report is this old (event time) is shown as not reporting. */
  staleAfterMs: number;
  /** ... and at this age it leaves the board, the diagram and the API. */
  removeAfterMs: number;
}

export type Freshness = "fresh" | "stale" | "gone";

const MINUTE_MS = 60_000;

export const DEFAULT_FRESHNESS: FreshnessPolicy = {
  staleAfterMs: 15 * MINUTE_MS,
  removeAfterMs: 30 * MINUTE_MS,
};

/** The age of the train's last report on the event-time clock, or null when unknown. */
export function reportAge(train: Pick<Train, "reported_at">, clock: number | null): number | null {
  if (train.reported_at === null || clock === null) return null;
  return Math.max(0, clock - train.reported_at);
}

export function trainFreshness(
  train: Pick<Train, "reported_at">,
  clock: number | null,
  policy: FreshnessPolicy,
): Freshness {
  const age = reportAge(train, clock);
  if (age === null || age < policy.staleAfterMs) return "fresh";
  return age < policy.removeAfterMs ? "stale" : "gone";
}

/** When the train last reported, as a rider would say it. */
export function reportedAgo(train: Pick<Train, "reported_at">, clock: number | null): string {
  const age = reportAge(train, clock);
  if (age === null) return "time unknown";
  const minutes = Math.floor(age / MINUTE_MS);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  return "over an hour ago";
}

const STATUS_WORDS: Record<TrainStatus, string> = {
  in_service: "In service",
  broken_down: "Broken down",
  out_of_service: "Out of service",
};

export function statusWords(status: TrainStatus): string {
  return STATUS_WORDS[status];
}

export const NOT_REPORTING = "Not reporting";

/** What a rider reads for the train's state: its status, or that it has stopped reporting. */
export function trainStateWords(
  train: Pick<Train, "status" | "reported_at">,
  clock: number | null,
  policy: FreshnessPolicy,
): string {
  return trainFreshness(train, clock, policy) === "fresh"
    ? statusWords(train.status)
    : NOT_REPORTING;
}

/** One line for a train: "Train 412, In service, last reported 3 min ago". */
export function trainDescription(
  train: Pick<Train, "train_id" | "status" | "reported_at">,
  clock: number | null,
  policy: FreshnessPolicy,
): string {
  const words = trainStateWords(train, clock, policy);
  const ago = reportedAgo(train, clock);
  const when = ago === "time unknown" ? "last report time unknown" : `last reported ${ago}`;
  return `Train ${train.train_id}, ${words}, ${when}`;
}

/**
 * The changes that bring the trains in line with the clock: a train without a report time is
 * stamped with the clock, and a train gone past `removeAfterMs` is removed. Stale trains stay;
 * they are shown as such from the clock alone.
 */
export function freshnessChanges(state: DashboardState, policy: FreshnessPolicy): Change[] {
  const { clock } = state;
  if (clock === null) return [];
  const changes: Change[] = [];
  for (const train of Object.values(state.trains)) {
    if (train.reported_at === null) {
      changes.push({ kind: "train", train: { ...train, reported_at: clock } });
    } else if (trainFreshness(train, clock, policy) === "gone") {
      changes.push({ kind: "trainRemoved", train_id: train.train_id });
    }
  }
  return changes;
}
