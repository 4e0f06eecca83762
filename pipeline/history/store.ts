/**
 * The history tables in PostgreSQL (sql/history.sql), through postgres.js: their creation, the
 * stored next offsets, and the one transaction per batch that adds the counts and moves the
 * offset together.
 */
import historyDdl from "../../sql/history.sql" with { type: "text" };
import { quoteIdentifier, type Sql } from "../../lib/postgres.ts";
import { type BatchPlan, type DeadLetterPlan, type InputRecord, planBatch } from "./aggregate.ts";

export const TABLES = {
  entries: "station_entries_hourly",
  arrivals: "station_arrivals_hourly",
  offsets: "history_offsets",
} as const;

/** `schema.table`, which postgres.js's `sql(name)` quotes part by part. */
export function qualified(schema: string, table: keyof typeof TABLES): string {
  return `${schema}.${TABLES[table]}`;
}

/** Whoever creates the tables first holds this lock: concurrent CREATE IF NOT EXISTS can fail. */
const DDL_LOCK = "cta_history_ddl";

/** Creates the schema and the tables that are missing; a no-op once they exist. */
export async function ensureHistoryTables(sql: Sql, schema: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${DDL_LOCK}))`;
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await tx.unsafe(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    await tx.unsafe(historyDdl);
  });
}

/** Where a consumer group stands on one input partition. */
export interface PartitionRef {
  consumer: string;
  topic: string;
  partition: number;
}

/** The stored next offset of each partition of a topic that has one. */
export async function storedOffsets(
  sql: Sql,
  schema: string,
  consumer: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const rows = await sql<{ partition: number; next_offset: string }[]>`
    SELECT partition, next_offset FROM ${sql(qualified(schema, "offsets"))}
    WHERE consumer = ${consumer} AND topic = ${topic}`;
  return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
}

export interface AppliedBatch {
  plan: BatchPlan;
  /** The next offset stored before this transaction. */
  stored: bigint;
  /** Rows inserted or added to. */
  rows: { entries: number; arrivals: number };
}

/**
 * Applies a batch of one partition in one transaction: locks the partition's offset row, plans
 * the batch against the offset stored there (so that whatever an earlier transaction counted
 * is skipped), hands the dead letters to `sendDeadLetters` (still inside the transaction: a
 * failure there rolls it back), adds the hourly counts and stores the new next offset.
 */
export async function applyBatch(
  sql: Sql,
  schema: string,
  ref: PartitionRef,
  records: readonly InputRecord[],
  batchEnd: bigint,
  sendDeadLetters: (letters: DeadLetterPlan[]) => Promise<void>,
): Promise<AppliedBatch> {
  const offsets = sql(qualified(schema, "offsets"));
  return await sql.begin(async (tx) => {
    await tx`
      INSERT INTO ${offsets} (consumer, topic, partition, next_offset)
      VALUES (${ref.consumer}, ${ref.topic}, ${ref.partition}, 0)
      ON CONFLICT DO NOTHING`;
    const [row] = await tx<{ next_offset: string }[]>`
      SELECT next_offset FROM ${offsets}
      WHERE consumer = ${ref.consumer} AND topic = ${ref.topic} AND partition = ${ref.partition}
      FOR UPDATE`;
    const stored = BigInt(row.next_offset);
    const plan = planBatch(records, stored, batchEnd);
    const rows = { entries: plan.entries.length, arrivals: plan.arrivals.length };
    if (plan.next === stored) return { plan, stored, rows };
    if (plan.deadLetters.length > 0) await sendDeadLetters(plan.deadLetters);
    if (plan.entries.length > 0) {
      const table = qualified(schema, "entries");
      await tx`
        INSERT INTO ${tx(table)} AS t (station_id, hour, entries)
        SELECT * FROM unnest(
          ${plan.entries.map((e) => e.stationId)}::integer[],
          ${plan.entries.map((e) => new Date(e.hour).toISOString())}::timestamptz[],
          ${plan.entries.map((e) => e.entries)}::bigint[])
        ON CONFLICT (station_id, hour) DO UPDATE SET entries = t.entries + excluded.entries`;
    }
    if (plan.arrivals.length > 0) {
      const table = qualified(schema, "arrivals");
      await tx`
        INSERT INTO ${tx(table)} AS t (station_id, hour, line, direction, arrivals)
        SELECT * FROM unnest(
          ${plan.arrivals.map((a) => a.stationId)}::integer[],
          ${plan.arrivals.map((a) => new Date(a.hour).toISOString())}::timestamptz[],
          ${plan.arrivals.map((a) => a.line)}::text[],
          ${plan.arrivals.map((a) => a.direction)}::text[],
          ${plan.arrivals.map((a) => a.arrivals)}::bigint[])
        ON CONFLICT (station_id, hour, line, direction)
        DO UPDATE SET arrivals = t.arrivals + excluded.arrivals`;
    }
    await tx`
      UPDATE ${offsets} SET next_offset = ${String(plan.next)}::bigint
      WHERE consumer = ${ref.consumer} AND topic = ${ref.topic} AND partition = ${ref.partition}`;
    return { plan, stored, rows };
  });
}
