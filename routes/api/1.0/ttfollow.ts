/** Train Tracker Follow This Train API: the coming stops of run `runnumber`. */
import { answerFollow } from "../../../dashboard/train_tracker/api.ts";
import { trainTrackerHandler } from "../../../dashboard/train_tracker/serve.ts";

export const handler = trainTrackerHandler(answerFollow);
