/**
 * The HTTP side of the Train Tracker endpoints. They read the live state in place, without a
 * copy: it changes only on the event loop between requests, and an answer is built
 * synchronously. Like CTA's, every answer is HTTP 200 with the error, if any, in the envelope;
 * an unexpected failure is CTA's 900 "Server Error".
 */
import type { Context } from "hono";
import type { AppEnv } from "../app_env.ts";
import { logger } from "../../lib/log.ts";
import type { Answer } from "./api.ts";
import { type Ctatt, errorResponse } from "./responses.ts";
import { stopTable } from "./stops.ts";

export function trainTrackerHandler(answer: Answer) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const { live } = c.get("dashboard");
    await live.whenReplayed();
    const state = live.state;
    // tmst is the event-time clock; before any train has reported, the wall clock.
    const now = state.clock ?? Date.now();
    let body: Ctatt;
    try {
      body = answer(new URL(c.req.url).searchParams, state, stopTable(), now);
    } catch (error) {
      logger("train-tracker").error(`${c.req.path} failed`, { error: String(error) });
      body = errorResponse(now, { errCd: 900, errNm: "Server Error" });
    }
    return c.json(body, 200, { "Cache-Control": "no-store" });
  };
}
