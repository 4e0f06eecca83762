/** Browser entry: hydrates the server-rendered board with the state embedded in the page. */
import { h, hydrate } from "preact";
import TransitBoard, { type TransitBoardProps } from "./TransitBoard.tsx";
import { decodeEmbeddedJson } from "../dashboard/format.ts";

const root = document.getElementById("transit-board");
const embedded = document.getElementById("transit-state");
if (root && embedded) {
  const props = decodeEmbeddedJson(embedded.textContent ?? "") as TransitBoardProps;
  hydrate(h(TransitBoard, props), root);
}
