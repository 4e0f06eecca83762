/** Train Tracker Locations API: the trains of the routes in `rt`. */
import { answerPositions } from "../../../dashboard/train_tracker/api.ts";
import { trainTrackerHandler } from "../../../dashboard/train_tracker/serve.ts";

export const handler = trainTrackerHandler(answerPositions);
