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

/** Hydrates `component` into #rootId with the props embedded as JSON in #stateId, when both exist. */
function hydrateEmbedded<P>(
  rootId: string,
  stateId: string | null,
  component: FunctionComponent<P>,
) {
  const islandRoot = document.getElementById(rootId);
  if (!islandRoot) return;
  const json = stateId ? document.getElementById(stateId)?.textContent : "{}";
  if (json == null) return;
  hydrate(h(component as FunctionComponent, decodeEmbeddedJson(json) as P & object), islandRoot);
}

hydrateEmbedded("station-search", null, StationSearch);
hydrateEmbedded<AlertBannerProps>("alert-banner", "alert-banner-state", AlertBanner);
hydrateEmbedded<StationPageProps>("station-page", "station-state", StationPage);
