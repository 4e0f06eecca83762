/**
 * The history stage: turnstile entries and train arrivals per station and hour, in PostgreSQL
 * (sql/history.sql), each record counted exactly once.
 *
 *   deno task history
 *   deno task history --help
 */
import { parseArgs } from "node:util";
import { groupId, loadConfig } from "../../lib/config.ts";
import { STAGES } from "../../lib/stages.ts";
import { createKafka } from "../../lib/kafka.ts";
import { createRegistry } from "../../lib/registry.ts";
import { AvroDecoder } from "../../lib/contracts/wire_format.ts";
import { runStageUntilSignal } from "../../lib/lifecycle.ts";
import { stageLogger } from "../../lib/log.ts";
import { StageMetrics } from "../../lib/metrics.ts";
import { postgresClient } from "../../lib/postgres.ts";
import { startHistory } from "./run.ts";
import { oneLine } from "../../lib/stage_failures.ts";

const HELP = `Usage: deno task history [options]

Counts org.chicago.cta.turnstiles and org.chicago.cta.station.arrivals per station and hour into
PostgreSQL: station_entries_hourly and station_arrivals_hourly (sql/history.sql, created if
missing, in the schema HISTORY_SCHEMA names, default public). Each batch of a partition is one
transaction that adds its counts and stores the partition's next offset, so a restart, a crash
or a second instance counts nothing twice. Hours are UTC hours of event_time (records written
before event_time existed count at their Kafka timestamp). Records that cannot be read go to
<topic>.dlq; a database, registry or broker that is down is waited for.

Options:
  --group <id>             consumer group, and the name its offsets are stored under
                           (default: ridership-history, under TOPIC_NAMESPACE)
  --concurrency <n>        partitions written at once (default: 3)
  --max-batch-bytes <n>    most bytes read from a partition for one transaction (default: 1048576)
  --help                   show this help

Configuration comes from the environment (KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL, PGHOST,
PGSSLMODE, HISTORY_SCHEMA, ...).`;

const log = stageLogger("history");

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    log.error(`--${name} must be a positive integer, got "${raw}"`);
    Deno.exit(2);
  }
  return value;
}

async function main() {
  const { values } = parseArgs({
    options: {
      group: { type: "string", default: STAGES.history.consumerGroup },
      concurrency: { type: "string", default: "3" },
      "max-batch-bytes": { type: "string", default: String(1024 * 1024) },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const concurrency = positiveInteger("concurrency", values.concurrency);
  const maxBatchBytes = positiveInteger("max-batch-bytes", values["max-batch-bytes"]);
  const config = loadConfig();
  const stage = startHistory(
    createKafka("ridership-history", config.kafka),
    postgresClient(config.postgres, { applicationName: "history", max: concurrency + 1 }),
    new AvroDecoder(createRegistry(config.registry)),
    config,
    { group: groupId(config, values.group), concurrency, maxBatchBytes },
    new StageMetrics("history"),
    log,
  );
  await runStageUntilSignal(stage, "history", { health: config.health });
}

if (import.meta.main) {
  await main().catch((error) => {
    log.error(`failed: ${oneLine(error)}`);
    Deno.exit(1);
  });
}
