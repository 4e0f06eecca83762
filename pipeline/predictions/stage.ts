/**
 * The predictions stage as records in and records out, free of I/O: arrivals update the model;
 * the output is whatever brings the predictions and alerts topics to the model's state. Both
 * topics are compacted "latest state per key" topics, so the stage remembers what it has written
 * (read back from the topics when it takes over) and writes only keys whose value changed, and
 * tombstones for keys no longer called for. Writing a key again with the state it already has is
 * harmless, which is what makes a replay after a restart correct.
 */
import { ALERTS } from "../../lib/contracts/alerts.ts";
import type { ArrivalValue } from "../../lib/contracts/arrivals.ts";
import { type PredictedArrival, PREDICTIONS } from "../../lib/contracts/predictions.ts";
import { type AlertOptions, DEFAULT_ALERT_OPTIONS, desiredAlerts } from "./alerts.ts";
import { type ModelOptions, type ObserveResult, PredictionModel } from "./model.ts";

export interface StageTopics {
  predictions: string;
  alerts: string;
}

export interface OutputRecord {
  topic: string;
  key: string;
  /** null: a tombstone. */
  value: string | null;
}

export type ApplyCounts = Record<ObserveResult, number> & { removed: number };

/** Stands for a value read back that is not the contract's: any real state differs from it. */
const UNREADABLE = "\u0000unreadable";

/** The arrivals of a board in one fixed field order, so that equal boards compare equal. */
function boardSignature(arrivals: readonly PredictedArrival[]): string {
  return JSON.stringify(arrivals.map((a) => [
    a.train_id,
    a.arrival_time,
    a.from_station_id,
    a.reported_at,
    a.stops_away,
    a.destination_station_id,
    a.delayed,
    a.broken_down,
  ]));
}

export class PredictionsTopology {
  readonly model: PredictionModel;
  /** What each output topic holds, by key: the board's signature, or the alert's JSON. */
  readonly #boards = new Map<string, string>();
  readonly #alerts = new Map<string, string>();

  constructor(
    readonly topics: StageTopics,
    modelOptions: Partial<ModelOptions> = {},
    readonly alertOptions: AlertOptions = DEFAULT_ALERT_OPTIONS,
  ) {
    this.model = new PredictionModel(modelOptions);
  }

  get boardCount(): number {
    return this.#boards.size;
  }

  get alertCount(): number {
    return this.#alerts.size;
  }

  /**
   * A record as the output topics hold it (read back at a take-over, or just written). Keys are
   * normalised through the contracts; a record whose key cannot be read is ignored.
   */
  restore(topic: string, key: string | null, value: string | null): void {
    if (key === null) return;
    if (topic === this.topics.predictions) {
      const normal = readKey(() =>
        PREDICTIONS.key.serialize(PREDICTIONS.key.parse(JSON.parse(key)))
      );
      if (normal === null) return;
      if (value === null) this.#boards.delete(normal);
      else {
        this.#boards.set(
          normal,
          readValue(() => boardSignature(PREDICTIONS.value.parse(JSON.parse(value)).arrivals)),
        );
      }
    } else if (topic === this.topics.alerts) {
      const normal = readKey(() => ALERTS.key.serialize(ALERTS.key.parse(JSON.parse(key))));
      if (normal === null) return;
      if (value === null) this.#alerts.delete(normal);
      else {
        this.#alerts.set(
          normal,
          readValue(() => ALERTS.value.serialize(ALERTS.value.parse(JSON.parse(value)))),
        );
      }
    }
  }

  /** Folds arrivals into the model, then forgets trains silent past the removal window. */
  apply(arrivals: Iterable<ArrivalValue>): ApplyCounts {
    const counts: ApplyCounts = {
      applied: 0,
      duplicate: 0,
      no_event_time: 0,
      too_old: 0,
      removed: 0,
    };
    for (const arrival of arrivals) counts[this.model.observe(arrival)]++;
    counts.removed = this.model.expire().length;
    return counts;
  }

  /** The records that bring both output topics to the model's state. */
  changes(): OutputRecord[] {
    const records: OutputRecord[] = [];
    const boards = this.model.predictions();
    for (const [key, board] of boards) {
      if (this.#boards.get(key) !== boardSignature(board.arrivals)) {
        records.push({
          topic: this.topics.predictions,
          key,
          value: PREDICTIONS.value.serialize(board),
        });
      }
    }
    for (const key of this.#boards.keys()) {
      if (!boards.has(key)) records.push({ topic: this.topics.predictions, key, value: null });
    }
    const alerts = desiredAlerts(this.model, this.alertOptions);
    for (const [id, alert] of alerts) {
      const key = ALERTS.key.serialize({ alert_id: id });
      const value = ALERTS.value.serialize(ALERTS.value.parse(alert));
      if (this.#alerts.get(key) !== value) records.push({ topic: this.topics.alerts, key, value });
    }
    for (const key of this.#alerts.keys()) {
      const id = ALERTS.key.parse(JSON.parse(key)).alert_id;
      if (!alerts.has(id)) records.push({ topic: this.topics.alerts, key, value: null });
    }
    return records;
  }

  /** Records committed to the output topics. */
  written(records: readonly OutputRecord[]): void {
    for (const r of records) this.restore(r.topic, r.key, r.value);
  }
}

/**
 * Where a take-over reads an input partition from (`replayFrom`), and from which offset on the
 * records are its own to dead-letter and commit (`resumeAt`). The earlier owner committed up to
 * `committed`: the `replay` records before it only rebuild the model. Without a committed offset
 * (a new group, or offsets expired) the last `replay` records are taken as new.
 */
export function replayWindow(
  partition: { low: bigint; end: bigint; committed: bigint },
  replay: bigint,
): { replayFrom: bigint; resumeAt: bigint } {
  const { low, end, committed } = partition;
  const atLeastLow = (offset: bigint) => offset > low ? offset : low;
  if (committed >= low) {
    const resumeAt = committed < end ? committed : end;
    return { replayFrom: atLeastLow(resumeAt - replay), resumeAt };
  }
  const resumeAt = atLeastLow(end - replay);
  return { replayFrom: resumeAt, resumeAt };
}

function readKey(normalise: () => string): string | null {
  try {
    return normalise();
  } catch {
    return null;
  }
}

function readValue(signature: () => string): string {
  try {
    return signature();
  } catch {
    return UNREADABLE;
  }
}
