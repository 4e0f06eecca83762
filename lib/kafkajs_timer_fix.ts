/**
 * kafkajs 2.2.4's request queue schedules its next look at the pending requests after
 * `throttledUntil - Date.now()` ms, at the end of every look. Until a broker first throttles it,
 * `throttledUntil` is -1, so the delay is about minus the epoch: Node runs it after 1 ms, and
 * prints a TimeoutNegativeWarning in every process that talks to Kafka. And since every look
 * schedules the next, each connection ran a timer every millisecond for as long as it lived,
 * with nothing waiting: eight idle producers woke their process about 3,700 times a second.
 * A request that completes or times out looks at the queue itself, so this schedules a look only
 * while requests wait: at a throttle's end, or after kafkajs's own interval.
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

/** kafkajs's `scheduleCheckPendingRequests`, only while requests wait, never with a delay below 0. */
export function scheduleCheckPendingRequests(this: SchedulingQueue): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilThrottleEnds = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, untilThrottleEnds > 0 ? untilThrottleEnds : CHECK_PENDING_REQUESTS_INTERVAL);
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
