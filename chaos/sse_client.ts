/**
 * A dashboard reader over SSE that behaves as the browser does: it keeps the state from the
 * snapshot and the deltas, and after a lost connection it reconnects by itself with
 * Last-Event-ID.
 */
import { applyChanges, type Change, type DashboardState, emptyState } from "../dashboard/state.ts";

export class SseReader {
  state: DashboardState = emptyState();
  /** The latest snapshot as it arrived, before any delta was applied to it. */
  lastSnapshot: DashboardState | null = null;
  lastEventId: string | null = null;
  connections = 0;
  snapshots = 0;
  deltas = 0;
  /** performance.now() of the latest event received. */
  lastEventAt = 0;
  #stop = new AbortController();
  readonly done: Promise<void>;

  constructor(private readonly url: string, private readonly retryMs = 500) {
    this.done = this.#loop();
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      try {
        await this.#readOnce();
      } catch {
        // connection refused or dropped: retry like EventSource
      }
      if (this.#stop.signal.aborted) return;
      await new Promise((r) => setTimeout(r, this.retryMs));
    }
  }

  async #readOnce(): Promise<void> {
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (this.lastEventId) headers["Last-Event-ID"] = this.lastEventId;
    const response = await fetch(`${this.url}/api/events`, { headers, signal: this.#stop.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return;
    }
    this.connections++;
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.#handle(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  #handle(block: string): void {
    let event = "message";
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    const payload = JSON.parse(data.join("\n"));
    if (event === "snapshot") {
      this.state = payload.state as DashboardState;
      this.lastSnapshot = structuredClone(this.state);
      this.snapshots++;
    } else if (event === "delta") {
      applyChanges(this.state, payload.changes as Change[], payload.updatedAt ?? null);
      this.deltas++;
    } else {
      return;
    }
    if (id) this.lastEventId = id;
    this.lastEventAt = performance.now();
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.done.catch(() => {});
  }
}
