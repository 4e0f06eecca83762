/**
 * Posts weather readings to the REST proxy (Confluent REST Proxy API v2, Avro embedded format),
 * retrying network errors and 5xx answers with a bounded backoff.
 */
import { WEATHER, type WeatherKey, type WeatherValue } from "../../lib/contracts/weather.ts";
import type { WeatherReading } from "./weather.ts";
import { logger } from "../../lib/log.ts";

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
    key_schema: WEATHER.key.schema.text,
    value_schema: WEATHER.value.schema.text,
    records: readings.map((r) => {
      const key: WeatherKey = { timestamp: r.timestamp };
      const value: WeatherValue = { temperature: r.temperature, status: r.status };
      return { key, value };
    }),
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
  const weatherLog = logger("weather");
  const log = deps.log ?? ((line) => weatherLog.warn(line));
  const now = deps.now ?? Date.now;
  const url = `${proxyUrl.replace(/\/$/, "")}/topics/${encodeURIComponent(topic)}`;

  return async (readings) => {
    let pending = readings;
    const deadline = now() + policy.budgetMs;
    let delay = policy.firstDelayMs;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let problem: string;
      try {
        const response = await doFetch(url, {
          method: "POST",
          headers: { "content-type": AVRO_V2, accept: "application/vnd.kafka.v2+json" },
          body: weatherBody(pending),
        });
        const text = await response.text();
        if (response.ok) {
          const outcome = recordOutcomes(text, pending);
          if (outcome.refused) {
            throw new WeatherPostError(`the REST proxy refused readings: ${outcome.refused}`);
          }
          if (outcome.retry.length === 0) return;
          pending = outcome.retry;
          problem = `${pending.length} readings not written: ${outcome.retryReason}`;
        } else if (response.status < 500) {
          throw new WeatherPostError(`POST ${url} answered ${response.status}: ${text}`);
        } else {
          problem = `${response.status} ${text.slice(0, 200)}`;
        }
      } catch (error) {
        if (error instanceof WeatherPostError) throw error;
        problem = (error as Error).message;
      }
      if (now() + delay > deadline) {
        throw new WeatherPostError(
          `gave up posting weather to ${url} after ${attempt} attempts: ${problem}`,
        );
      }
      log(`POST ${url} failed (${problem}); retry ${attempt} in ${delay} ms`);
      await sleep(delay);
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  };
}

/** Error codes of a v2 produce response's offsets that say the record may succeed if retried. */
const RETRIABLE_CODES = new Set([2, 50003]);

interface Offset {
  error_code?: number | null;
  error?: string | null;
}

/**
 * Splits a v2 produce response (offsets in record order) into the readings worth retrying and
 * the reason of the first record refused for good.
 */
function recordOutcomes(
  text: string,
  sent: WeatherReading[],
): { retry: WeatherReading[]; retryReason?: string; refused?: string } {
  let offsets: Offset[];
  try {
    offsets = (JSON.parse(text) as { offsets?: Offset[] }).offsets ?? [];
  } catch {
    return { retry: [] };
  }
  const retry: WeatherReading[] = [];
  let retryReason: string | undefined;
  for (const [i, offset] of offsets.entries()) {
    if (offset.error_code === null || offset.error_code === undefined) {
      if (!offset.error) continue;
    } else if (RETRIABLE_CODES.has(offset.error_code)) {
      retry.push(sent[i]);
      retryReason ??= offset.error ?? `error_code ${offset.error_code}`;
      continue;
    }
    return {
      retry: [],
      refused: `${offset.error ?? "no reason given"} (error_code ${offset.error_code})`,
    };
  }
  return { retry, retryReason };
}
