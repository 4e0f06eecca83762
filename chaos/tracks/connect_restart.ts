/**
 * Kafka Connect stopped and PostgreSQL restarted; a station is renamed while Connect is down,
 * and the rename must reach the dashboard once Connect is back.
 */
import type { Config } from "../../lib/config.ts";
import { postgresClient } from "../../lib/postgres.ts";
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
  const sql = postgresClient(config.postgres, { max: 1 });
  try {
    await sql`UPDATE stations SET station_name = ${name} WHERE station_id = ${stationId}`;
  } finally {
    await sql.end();
  }
}
