/**
 * The station page's window on the ridership history in PostgreSQL (sql/history.sql): entries per
 * station and hour. The page must render when PostgreSQL is down or the tables are not there yet,
 * so every failure becomes `HistoryUnavailable`, a query waits at most `QUERY_TIMEOUT_MS`, and
 * after a failure the database is left alone for `RETRY_AFTER_MS` before it is asked again.
 */
import type { PostgresConfig } from "../lib/config.ts";
import { postgresClient, type Sql } from "../lib/postgres.ts";
import { logger } from "../lib/log.ts";
import { entriesPerHour, type HourlyEntries } from "../pipeline/history/queries.ts";
import { qualified } from "../pipeline/history/store.ts";

export interface EntriesHistory {
  /** Entries per hour of [dayStart, dayEnd) for one station; hours without entries are absent. */
  entriesPerHour(stationId: number, dayStart: number, dayEnd: number): Promise<HourlyEntries[]>;
  close(): Promise<void>;
}

export class HistoryUnavailable extends Error {
  override name = "HistoryUnavailable";
}

export const NO_HISTORY: EntriesHistory = {
  entriesPerHour: () => Promise.reject(new HistoryUnavailable("no history database configured")),
  close: () => Promise.resolve(),
};

export const QUERY_TIMEOUT_MS = 2_000;
export const RETRY_AFTER_MS = 15_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HistoryUnavailable(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A postgres.js client from lib/postgres.ts, made only once the history table is there: until
 * then (and again after any failure) each request first checks for it.
 */
export class PostgresEntriesHistory implements EntriesHistory {
  #sql: Sql | null = null;
  #quietUntil = 0;
  #reason = "";
  readonly #log = logger("dashboard.history");

  constructor(
    private readonly config: PostgresConfig,
    private readonly schema: string,
    private readonly now: () => number = Date.now,
  ) {}

  async entriesPerHour(stationId: number, dayStart: number, dayEnd: number) {
    if (this.now() < this.#quietUntil) {
      throw new HistoryUnavailable(`history unavailable: ${this.#reason}`);
    }
    try {
      const sql = this.#sql ?? await withTimeout(this.#connect(), QUERY_TIMEOUT_MS, "connecting");
      return await withTimeout(
        entriesPerHour(sql, this.schema, stationId, dayStart, dayEnd),
        QUERY_TIMEOUT_MS,
        "the entries query",
      );
    } catch (error) {
      this.#quietUntil = this.now() + RETRY_AFTER_MS;
      this.#reason = error instanceof Error ? error.message : String(error);
      this.#log.warn("ridership history unavailable", { reason: this.#reason });
      const sql = this.#sql;
      this.#sql = null;
      await sql?.end({ timeout: 1 }).catch(() => {});
      throw error instanceof HistoryUnavailable
        ? error
        : new HistoryUnavailable(`history unavailable: ${this.#reason}`);
    }
  }

  async #connect(): Promise<Sql> {
    const sql = postgresClient(this.config, { applicationName: "cta-dashboard", max: 2 });
    try {
      const [{ found }] = await sql<{ found: string | null }[]>`
        SELECT to_regclass(${qualified(this.schema, "entries")})::text AS found`;
      if (found === null) {
        throw new HistoryUnavailable(`no table ${qualified(this.schema, "entries")} yet`);
      }
      this.#sql = sql;
      return sql;
    } catch (error) {
      await sql.end({ timeout: 1 }).catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#sql?.end({ timeout: 2 });
    this.#sql = null;
  }
}
