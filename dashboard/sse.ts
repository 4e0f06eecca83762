/** Server-sent events: wire format and the bounded log of deltas that reconnects resume from. */
import type { Change } from "./state.ts";

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

export function formatEvent(e: SseEvent): string {
  let out = "";
  if (e.comment !== undefined) out += `: ${e.comment}\n`;
  if (e.retry !== undefined) out += `retry: ${e.retry}\n`;
  if (e.event !== undefined) out += `event: ${e.event}\n`;
  if (e.id !== undefined) out += `id: ${e.id}\n`;
  if (e.data !== undefined) {
    for (const line of e.data.split("\n")) out += `data: ${line}\n`;
  }
  return out + "\n";
}

export interface Delta {
  /** `<epoch>.<seq>`: the epoch tells deltas of an earlier server process apart. */
  id: string;
  seq: number;
  changes: Change[];
  updatedAt: number | null;
}

export function parseEventId(id: string): { epoch: string; seq: number } | null {
  const dot = id.lastIndexOf(".");
  if (dot <= 0) return null;
  const seq = Number(id.slice(dot + 1));
  if (!Number.isSafeInteger(seq) || seq < 0) return null;
  return { epoch: id.slice(0, dot), seq };
}

/** The last `capacity` deltas, numbered from 1 within one epoch. */
export class DeltaLog {
  readonly #capacity: number;
  readonly #ring: (Delta | undefined)[];
  #seq = 0;

  constructor(readonly epoch: string, capacity: number) {
    if (capacity < 1) throw new RangeError("capacity must be at least 1");
    this.#capacity = capacity;
    this.#ring = new Array(capacity);
  }

  get lastId(): string {
    return `${this.epoch}.${this.#seq}`;
  }

  append(changes: Change[], updatedAt: number | null): Delta {
    const seq = ++this.#seq;
    const delta = { id: `${this.epoch}.${seq}`, seq, changes, updatedAt };
    this.#ring[seq % this.#capacity] = delta;
    return delta;
  }

  /**
   * The deltas after `lastEventId`, or null when they cannot be given (another epoch, an id from
   * the future, or fallen out of the ring): the client then needs a snapshot.
   */
  since(lastEventId: string): Delta[] | null {
    const parsed = parseEventId(lastEventId);
    if (!parsed || parsed.epoch !== this.epoch || parsed.seq > this.#seq) return null;
    const oldest = Math.max(1, this.#seq - this.#capacity + 1);
    if (parsed.seq + 1 < oldest) return null;
    const out: Delta[] = [];
    for (let seq = parsed.seq + 1; seq <= this.#seq; seq++) {
      out.push(this.#ring[seq % this.#capacity]!);
    }
    return out;
  }
}
