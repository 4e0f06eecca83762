/** The Debezium connector streams table `stations` into its topic, inserts and deletes included. */
import assert from "node:assert/strict";
import { postgresClient } from "../lib/postgres.ts";
import { createKafka } from "../lib/kafka.ts";
import { parseStopKey } from "../lib/contracts/stations.ts";
import {
  deleteStationsConnector,
  ensureStationsConnector,
  stationsConnectorStatus,
  stationsPublicationName,
  stationsSlotName,
} from "../lib/connector.ts";
import {
  configFor,
  consumeAll,
  type ConsumedRecord,
  freshNamespace,
  waitFor,
} from "./helpers/mod.ts";

type Row = Record<string, unknown>;

/** The latest value per key, as a compacted topic keeps it; tombstones remove the key. */
function latestByKey(records: ConsumedRecord[]): Map<number, Row | null> {
  const latest = new Map<number, Row | null>();
  for (const r of records) {
    const key = parseStopKey(r.key!.toString())!;
    latest.set(key, r.value === null ? null : JSON.parse(r.value.toString()));
  }
  return latest;
}

Deno.test({
  name: "the stations connector mirrors the table: one record per row, then an insert and a delete",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const config = configFor(freshNamespace());
    const kafka = createKafka("connect-test", config.kafka);
    const sql = postgresClient(config.postgres, { max: 1 });
    const stopId = 90_000 + Math.floor(Math.random() * 9_000);
    try {
      await ensureStationsConnector(config);
      const status = await stationsConnectorStatus(config);
      assert.equal(status?.connector?.state, "RUNNING");
      assert.equal(status?.tasks?.[0]?.state, "RUNNING");

      const rows = await sql<Row[]>`SELECT * FROM stations ORDER BY stop_id`;
      assert.ok(rows.length > 200, `stations loaded (${rows.length})`);
      const topic = config.topics.stations;
      // Connect creates the topic with the snapshot's first record.
      const admin = kafka.admin();
      await admin.connect();
      await waitFor(async () => (await admin.listTopics()).includes(topic), 20_000, topic)
        .finally(() => admin.disconnect());
      const snapshot = await consumeAll(kafka, topic, { until: (r) => r.length >= rows.length });
      assert.equal(snapshot.length, rows.length, "exactly one record per row");
      const latest = latestByKey(snapshot);
      assert.equal(latest.size, rows.length);
      for (const row of rows) assert.deepEqual(latest.get(row.stop_id as number), row);

      await sql`INSERT INTO stations VALUES (${stopId}, 'N', 'Test (Howard-bound)', 'Test',
                                             'Test (Red Line)', 49999, 99, true, false, false)`;
      await sql`DELETE FROM stations WHERE stop_id = ${stopId}`;
      const changes = await consumeAll(kafka, topic, {
        until: (r) => r.filter((x) => x.key?.toString().includes(String(stopId))).length >= 2,
      });
      const mine = changes.filter((r) => parseStopKey(r.key!.toString()) === stopId);
      assert.equal(JSON.parse(mine[0].value!.toString()).station_id, 49999, "insert arrives");
      assert.equal(mine[1].value, null, "delete arrives as a tombstone");
    } finally {
      await sql`DELETE FROM stations WHERE stop_id = ${stopId}`;
      await deleteStationsConnector(config);
      // The slot stays after the connector is gone; drop it once its task has let go.
      const slot = stationsSlotName(config);
      await waitFor(
        async () => {
          const rows = await sql`SELECT active FROM pg_replication_slots WHERE slot_name = ${slot}`;
          return rows.length === 0 || rows[0].active === false;
        },
        20_000,
        `slot ${slot} inactive`,
      );
      await sql`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                WHERE slot_name = ${slot}`;
      await sql`DROP PUBLICATION IF EXISTS ${sql(stationsPublicationName(config))}`;
      await sql.end();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [config.topics.stations] }).catch(() => {});
      await admin.disconnect();
    }
  },
});
