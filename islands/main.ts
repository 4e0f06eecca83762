/** Browser entry: hydrates the server-rendered board with the state embedded in the page. */
import { h, hydrate } from "preact";
import TransitBoard, { type TransitBoardProps } from "./TransitBoard.tsx";
import { decodeEmbeddedJson } from "../dashboard/format.ts";
import OpsBoard, { type OpsBoardProps } from "./OpsBoard.tsx";

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
