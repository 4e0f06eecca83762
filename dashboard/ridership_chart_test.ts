import assert from "node:assert/strict";
import { chicagoDay, hoursOfDay } from "./chicago_time.ts";
import {
  chartGeometry,
  comparisonRows,
  niceTop,
  tickLabel,
  totalEntries,
} from "./ridership_chart.ts";
import { parseDailyRiders, parseRidershipCurve, readRidershipData } from "./ridership_data.ts";

const HOUR = 3_600_000;
const DAY = chicagoDay(Date.UTC(2026, 11, 5, 18)); // a Saturday, starts 06:00 UTC
const CURVE = Array.from({ length: 24 }, (_, h) => (h === 8 ? 0.31 : 0.03));

Deno.test("rows: history per Chicago hour, zero for quiet past hours, null for the future", () => {
  const clock = DAY.start + 9 * HOUR + 20 * 60_000; // 9:20 AM
  const rows = comparisonRows(
    hoursOfDay(DAY),
    [
      { hour: DAY.start + 8 * HOUR, entries: 120 },
      { hour: DAY.start + 9 * HOUR, entries: 30 },
    ],
    1000,
    CURVE,
    clock,
  );
  assert.equal(rows.length, 24);
  assert.equal(rows[8].label, "8 AM");
  assert.equal(rows[8].entries, 120);
  assert.equal(rows[7].entries, 0);
  assert.equal(rows[9].entries, 30);
  assert.equal(rows[10].entries, null);
  assert.equal(rows[8].typical, 310);
  assert.equal(rows[0].typical, 30);
  assert.equal(totalEntries(rows), 150);
});

Deno.test("rows without ridership have no typical value", () => {
  const rows = comparisonRows(hoursOfDay(DAY), [], null, CURVE, DAY.end);
  assert.ok(rows.every((r) => r.typical === null && r.entries === 0));
  assert.equal(chartGeometry(rows).typicalPoints, "");
});

Deno.test("tick labels are short", () => {
  assert.deepEqual([0, 750, 1000, 1500, 12_500].map(tickLabel), [
    "0",
    "750",
    "1K",
    "1.5K",
    "12.5K",
  ]);
});

Deno.test("axis tops are round", () => {
  assert.equal(niceTop(0), 10);
  assert.equal(niceTop(7), 10);
  assert.equal(niceTop(130), 200);
  assert.equal(niceTop(2000), 2000);
  assert.equal(niceTop(2001), 5000);
});

Deno.test("geometry: bars stand on the axis, scaled to the round top; the line has every hour", () => {
  const rows = comparisonRows(
    hoursOfDay(DAY),
    [{ hour: DAY.start + 8 * HOUR, entries: 150 }],
    1000,
    CURVE,
    DAY.start + 12 * HOUR,
  );
  const g = chartGeometry(rows, {
    width: 300,
    height: 130,
    left: 40,
    right: 10,
    top: 10,
    bottom: 20,
  });
  assert.equal(g.top, 500);
  assert.equal(g.bars.length, 13);
  const eight = g.bars.find((b) => b.row.label === "8 AM")!;
  assert.equal(eight.y + eight.height, 110);
  assert.equal(eight.height, 30); // 150 / 500 of 100
  assert.equal(g.typicalPoints.split(" ").length, 24);
  assert.deepEqual(g.yTicks.map((t) => t.label), ["0", "125", "250", "375", "500"]);
  assert.equal(g.xLabels[0].label, "12 AM");
});

Deno.test("the curve file gives 24 shares; missing hours are an error", () => {
  assert.equal(
    parseRidershipCurve(
      "hour,ridership_ratio\n" + CURVE.map((v, h) => `${h},${v}`).join("\n") + "\n24,0.5",
    ).length,
    24,
  );
  assert.throws(
    () => parseRidershipCurve("hour,ridership_ratio\n0,0.5\n"),
    /no share for hours 1,/,
  );
  assert.throws(
    () =>
      parseDailyRiders(
        "station_id,avg_weekday_rides,avg_saturday_rides,avg_sunday-holiday_rides\n1,x,2,3\n",
      ),
    /avg_weekday_rides is not a number/,
  );
});

Deno.test("the project's data files parse", () => {
  const data = readRidershipData(new URL("../data/", import.meta.url));
  assert.equal(data.curve.length, 24);
  assert.equal(data.dailyRiders.get(40380)?.weekday, 22811.6);
  assert.equal(data.descriptiveNames.get(40750), "Harlem (Blue Line - O'Hare Branch)");
});
