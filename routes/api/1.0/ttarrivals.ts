/** Train Tracker Arrivals API: `mapid` or `stpid`, optional `rt` and `max`. */
import { answerArrivals } from "../../../dashboard/train_tracker/api.ts";
import { trainTrackerHandler } from "../../../dashboard/train_tracker/serve.ts";

export const handler = trainTrackerHandler(answerArrivals);
