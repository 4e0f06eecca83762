/** Display formatting shared by the server render and the browser. Pure. */
import type { WeatherStatus } from "../lib/contracts/enums.ts";

export function formatAge(updatedAt: number | null, now: number): string {
  if (updatedAt === null) return "waiting for data";
  const seconds = Math.max(0, Math.floor((now - updatedAt) / 1000));
  if (seconds < 60) return `updated ${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `updated ${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `updated ${hours} h ago`;
  return `updated ${Math.floor(hours / 24)} days ago`;
}

// One formatter for every count: toLocaleString builds a new one per call, which a board of
// a hundred counts re-rendered many times a second notices.
const COUNT_FORMAT = new Intl.NumberFormat("en-US");

export function formatCount(n: number): string {
  return COUNT_FORMAT.format(n);
}

/** "1 train", "2 trains", "1,024 entries": a count with its noun in the right number. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Where the symbol, read as words, would not do. */
const WEATHER_LABELS: Partial<Record<WeatherStatus, string>> = { precipitation: "Rain or snow" };

export function weatherLabel(status: WeatherStatus): string {
  const words = status.replaceAll("_", " ");
  return WEATHER_LABELS[status] ?? words[0].toUpperCase() + words.slice(1);
}

/**
 * The page embeds its initial state as JSON text in a `<script type="application/json">`. Preact
 * escapes that text (`&`, `<`, `"` become entities), which also makes a `</script>` inside a
 * station name impossible; the browser reverses exactly that escaping before parsing.
 */
export function decodeEmbeddedJson(text: string): unknown {
  const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&quot;": '"' };
  return JSON.parse(text.replace(/&(amp|lt|quot);/g, (m) => entities[m]));
}
