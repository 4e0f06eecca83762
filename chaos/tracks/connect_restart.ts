/**
 * Kafka Connect stopped and PostgreSQL restarted; a station is renamed while Connect is down,
 * and the rename must reach the dashboard once Connect is back.
 */
import pg from "pg";
import type { Config } from "../../lib/config.ts";
import { pgClientConfig } from "../../lib/postgres.ts";
import { dashboardState, waitUntil } from "../observe.ts";
import type { Run } from "../run.ts";

export async function connectRestart(
  run: Run,
  rename: { stationId: number; name: string },
  startMs: number,
): Promise<void> {
  await run.sleepUntil(startMs);
  const at = run.elapsed;
  await run.stopStackService("connect");
  await run.stopStackService("postgres", "SIGINT");
  await run.stack("up", "postgres");
  await renameStation(run.config, rename.stationId, rename.name);
  await run.stack("up", "connect");
  const arrived = await waitUntil(
    async () => (await dashboardState(run))?.text.includes(JSON.stringify(rename.name)) ?? false,
    180_000,
  );
  run.record(
    "Kafka Connect stopped, PostgreSQL restarted, station renamed, Connect started",
    at,
    arrived ? run.elapsed - at : undefined,
    arrived ? `rename of ${rename.stationId} reached the dashboard` : "rename never arrived",
  );
}

async function renameStation(config: Config, stationId: number, name: string): Promise<void> {
  const db = new pg.Client(pgClientConfig(config.postgres));
  await db.connect();
  try {
    await db.query("UPDATE stations SET station_name = $1 WHERE station_id = $2", [
      name,
      stationId,
    ]);
  } finally {
    await db.end();
  }
}
