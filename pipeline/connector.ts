/**
 * Creates or updates the Debezium connector that streams table `stations` into Kafka, and waits
 * until it runs.
 *
 *   deno task connector            # create or update, then wait for RUNNING
 *   deno task connector --status   # print its state
 */
import { loadConfig } from "../lib/config.ts";
import {
  ConnectorError,
  ensureStationsConnector,
  stationsConnectorName,
  stationsConnectorStatus,
} from "../lib/connector.ts";
import { stageLogger } from "../lib/log.ts";

const log = stageLogger("connector");

async function main(args: string[]): Promise<number> {
  const config = loadConfig();
  const name = stationsConnectorName(config);
  if (args.includes("--status")) {
    const status = await stationsConnectorStatus(config);
    console.log(status ? JSON.stringify(status, null, 2) : `connector ${name} does not exist`);
    return status ? 0 : 1;
  }
  await ensureStationsConnector(config);
  log.info(`${name} RUNNING, writing ${config.topics.stations}`);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (error instanceof ConnectorError) {
      log.error(error.message);
      Deno.exit(1);
    }
    throw error;
  }
}
