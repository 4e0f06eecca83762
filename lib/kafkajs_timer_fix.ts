/**
 * kafkajs 2.2.4's request queue schedules its next look at the pending requests after
 * `throttledUntil - Date.now()` ms. Until a broker first throttles it, `throttledUntil` is -1,
 * so the delay is about minus the epoch: Node runs it after 1 ms anyway, but prints a
 * TimeoutNegativeWarning in every process that talks to Kafka. This schedules the same look,
 * at the same time, with a delay that is never negative.
 */
import { type KafkajsRequire, kafkajsRequire, versionMismatch } from "./kafkajs_upstream.ts";
import { logger } from "./log.ts";

const REQUEST_QUEUE = "./src/network/requestQueue/index.js";
/** kafkajs's own interval for a queue that is not throttled but has requests waiting. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

/** The part of kafkajs's RequestQueue that its scheduling reads and writes. */
export interface SchedulingQueue {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

/** kafkajs's `scheduleCheckPendingRequests`, with the delay held at 0 or more. */
export function scheduleCheckPendingRequests(this: SchedulingQueue): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0 && scheduleAt <= 0) scheduleAt = CHECK_PENDING_REQUESTS_INTERVAL;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, Math.max(0, scheduleAt));
}

let kafkajsOwn: typeof scheduleCheckPendingRequests | undefined;

/** The method this module replaced, for tests that hold the two side by side. */
export function kafkajsOwnScheduling(): typeof scheduleCheckPendingRequests {
  if (!kafkajsOwn) throw new Error("the request queue's timer fix is not installed");
  return kafkajsOwn;
}

/** Installs the method on kafkajs's RequestQueue; a line to log if it was not installed. */
export function installTimerFix(require: KafkajsRequire): string | undefined {
  const mismatch = versionMismatch(
    require("./package.json").version,
    "kafkajs request queue timer fix",
  );
  if (mismatch) return mismatch;
  const prototype = require(REQUEST_QUEUE).prototype;
  kafkajsOwn ??= prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  return undefined;
}

const line = installTimerFix(kafkajsRequire());
if (line) logger("kafka").warn(line);
