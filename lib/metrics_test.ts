import assert from "node:assert/strict";
import { metricValue, StageMetrics } from "./metrics.ts";

Deno.test("a metric's value is the sum of its samples in the exposition, 0 when absent", async () => {
  const metrics = new StageMetrics("s");
  metrics.recordsIn.inc({ topic: "a" }, 2);
  metrics.recordsIn.inc({ topic: "b" }, 3);
  metrics.groupJoins.inc();
  const { body } = await metrics.scrape();
  assert.equal(metricValue(body, "cta_records_in_total"), 5);
  assert.equal(metricValue(body, "cta_group_joins_total"), 1);
  assert.equal(metricValue(body, "cta_records_out_total"), 0);
  assert.equal(metricValue(body, "cta_records_in"), 0, "a name's prefix is another metric");
});
