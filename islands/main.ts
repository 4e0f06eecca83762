/** Browser entry: hydrates the server-rendered board with the state embedded in the page. */
import { h, hydrate } from "preact";
import TransitBoard, { type TransitBoardProps } from "./TransitBoard.tsx";
import { decodeEmbeddedJson } from "../dashboard/format.ts";
import OpsBoard, { type OpsBoardProps } from "./OpsBoard.tsx";
import type { FunctionComponent } from "preact";
import StationSearch from "./StationSearch.tsx";
import AlertBanner, { type AlertBannerProps } from "./AlertBanner.tsx";
import StationPage, { type StationPageProps } from "./StationPage.tsx";

const root = document.getElementById("transit-board");
const embedded = document.getElementById("transit-state");
if (root && embedded) {
  const props = decodeEmbeddedJson(embedded.textContent ?? "") as TransitBoardProps;
  hydrate(h(TransitBoard, props), root);
}

const opsRoot = document.getElementById("ops-board");
const opsEmbedded = document.getElementById("ops-state");
if (opsRoot && opsEmbedded) {
  const props = decodeEmbeddedJson(opsEmbedded.textContent ?? "") as OpsBoardProps;
  hydrate(h(OpsBoard, props), opsRoot);
}

/** Hydrates `component` into #rootId with the props embedded as JSON in #stateId (none: no props). */
function hydrateEmbedded<P extends object>(
  rootId: string,
  stateId: string | null,
  component: FunctionComponent<P>,
) {
  const islandRoot = document.getElementById(rootId);
  const json = stateId === null ? "{}" : document.getElementById(stateId)?.textContent;
  if (!islandRoot || json == null) return;
  hydrate(h(component, decodeEmbeddedJson(json) as P), islandRoot);
}

hydrateEmbedded("station-search", null, StationSearch);
hydrateEmbedded<AlertBannerProps>("alert-banner", "alert-banner-state", AlertBanner);
hydrateEmbedded<StationPageProps>("station-page", "station-state", StationPage);
