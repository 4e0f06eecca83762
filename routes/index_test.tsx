import assert from "node:assert/strict";
import { renderPage } from "./index.tsx";
import { emptyState } from "../dashboard/state.ts";
import { decodeEmbeddedJson } from "../dashboard/format.ts";
import { DEFAULT_FRESHNESS } from "../dashboard/freshness.ts";

const EVIL = "<img src=x onerror=alert(1)>";

function stateWithEvilStation() {
  const state = emptyState();
  state.lines.red.push({ station_id: 1, station_name: EVIL, order: 0 });
  state.lines.red.push({
    station_id: 2,
    station_name: "</script><script>alert(2)</script>",
    order: 1,
  });
  state.turnstiles["1"] = 1234;
  return state;
}

Deno.test("a station named like HTML is rendered as text, never as markup", () => {
  const html = renderPage(stateWithEvilStation(), 0);
  assert.equal(html.includes("<img"), false);
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)>"));
  assert.equal(html.includes("<script>alert(2)"), false);
  // The only script elements are the module and the JSON states of the board and the alerts.
  assert.equal(html.match(/<script/g)?.length, 3);
  assert.equal(html.match(/<script type="application\/json"/g)?.length, 2);
});

Deno.test("the embedded state survives escaping and decodes to the same state", () => {
  const state = stateWithEvilStation();
  const html = renderPage(state, 42);
  const text = html.match(/<script type="application\/json" id="transit-state">(.*?)<\/script>/s)
    ?.[1];
  assert.ok(text);
  assert.deepEqual(decodeEmbeddedJson(text), {
    initial: state,
    renderedAt: 42,
    freshness: DEFAULT_FRESHNESS,
  });
});

Deno.test("the page shows all three lines and the count", () => {
  const html = renderPage(stateWithEvilStation(), 0);
  for (const name of ["Red Line", "Blue Line", "Green Line"]) assert.ok(html.includes(name));
  assert.ok(html.includes("1,234"));
});
