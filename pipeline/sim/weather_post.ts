/**
 * Posts weather readings to the REST proxy (Confluent REST Proxy API v2, Avro embedded format),
 * retrying network errors and 5xx answers with a bounded backoff.
 */
import { readSchema } from "../../lib/registry.ts";
import { AVRO_SCHEMAS } from "../../lib/topics.ts";
import type { WeatherReading } from "./weather.ts";

export const AVRO_V2 = "application/vnd.kafka.avro.v2+json";

export interface RetryPolicy {
  /** Total time to keep trying before giving up. */
  budgetMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  budgetMs: 60_000,
  firstDelayMs: 250,
  maxDelayMs: 5_000,
};

export class WeatherPostError extends Error {
  override name = "WeatherPostError";
}

export function weatherBody(readings: WeatherReading[]): string {
  return JSON.stringify({
    key_schema: readSchema(AVRO_SCHEMAS.weather.key),
    value_schema: readSchema(AVRO_SCHEMAS.weather.value),
    records: readings.map((r) => ({
      key: { timestamp: r.timestamp },
      value: { temperature: r.temperature, status: r.status },
    })),
  });
}

export interface WeatherPosterDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  now?: () => number;
}

/** Returns a function that posts readings to `<proxy>/topics/<topic>`. */
export function weatherPoster(
  proxyUrl: string,
  topic: string,
  policy: RetryPolicy = DEFAULT_RETRY,
  deps: WeatherPosterDeps = {},
): (readings: WeatherReading[]) => Promise<void> {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const log = deps.log ?? ((line) => console.error(line));
  const now = deps.now ?? Date.now;
  const url = `${proxyUrl.replace(/\/$/, "")}/topics/${encodeURIComponent(topic)}`;

  return async (readings) => {
    if (readings.length === 0) return;
    const body = weatherBody(readings);
    const deadline = now() + policy.budgetMs;
    let delay = policy.firstDelayMs;
    for (let attempt = 1;; attempt++) {
      let problem: string;
      try {
        const response = await doFetch(url, {
          method: "POST",
          headers: { "content-type": AVRO_V2, accept: "application/vnd.kafka.v2+json" },
          body,
        });
        const text = await response.text();
        if (response.ok) {
          const failed = offsetErrors(text);
          if (failed) throw new WeatherPostError(`the REST proxy refused readings: ${failed}`);
          return;
        }
        if (response.status < 500) {
          throw new WeatherPostError(`POST ${url} answered ${response.status}: ${text}`);
        }
        problem = `${response.status} ${text.slice(0, 200)}`;
      } catch (error) {
        if (error instanceof WeatherPostError) throw error;
        problem = (error as Error).message;
      }
      if (now() + delay > deadline) {
        throw new WeatherPostError(
          `gave up posting weather to ${url} after ${attempt} attempts: ${problem}`,
        );
      }
      log(`weather: POST ${url} failed (${problem}); retry ${attempt} in ${delay} ms`);
      await sleep(delay);
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  };
}

/** The errors a v2 produce response reports per record, if any. */
function offsetErrors(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { offsets?: { error?: string | null }[] };
    const errors = (parsed.offsets ?? []).map((o) => o.error).filter(Boolean);
    return errors.length > 0 ? errors.join("; ") : undefined;
  } catch {
    return undefined;
  }
}
