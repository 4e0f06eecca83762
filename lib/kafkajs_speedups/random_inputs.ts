/** Seeded random inputs for the tests of this directory, so that a failure can be replayed. */
import { Buffer } from "node:buffer";

/** A seeded generator (mulberry32). */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UNICODE = ["a", "é", "€", "日本", "🚇", "\u0000", "\ud800", "\udfff", "x".repeat(200)];

export function randomString(next: () => number): string {
  let text = "";
  const parts = Math.floor(next() * 6);
  for (let i = 0; i < parts; i++) text += UNICODE[Math.floor(next() * UNICODE.length)];
  return text;
}

export function randomBytes(next: () => number, max: number): Buffer {
  return Buffer.from(Array.from({ length: Math.floor(next() * max) }, () => next() * 256));
}

export function randomKeyOrValue(next: () => number): Buffer | string | null | undefined {
  const pick = next();
  if (pick < 0.1) return null;
  if (pick < 0.15) return undefined;
  if (pick < 0.4) return randomString(next);
  return randomBytes(next, pick < 0.95 ? 60 : 400);
}

export function randomHeaders(
  next: () => number,
): Record<string, string | Buffer | (string | Buffer)[]> | undefined {
  const pick = next();
  if (pick < 0.3) return undefined;
  const headers: Record<string, string | Buffer | (string | Buffer)[]> = {};
  const count = Math.floor(next() * 4);
  for (let i = 0; i < count; i++) {
    const key = randomString(next) + i;
    const one = () => next() < 0.5 ? randomString(next) : randomBytes(next, 20);
    headers[key] = next() < 0.2 ? [one(), one()] : one();
  }
  return headers;
}

/** Integers of up to 53 bits, either sign, spread over every magnitude. */
export function randomInteger(next: () => number): number {
  const bits = Math.floor(next() * 54);
  const magnitude = Math.floor(next() * 2 ** bits);
  return next() < 0.5 ? -magnitude : magnitude;
}

export const VARINT_EDGES = [
  0,
  1,
  -1,
  63,
  64,
  -64,
  -65,
  127,
  128,
  8191,
  8192,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  -(2 ** 32),
];

export const VARLONG_EDGES = [
  ...VARINT_EDGES,
  2 ** 35,
  -(2 ** 35),
  2 ** 52 - 1,
  2 ** 52,
  -(2 ** 52),
  -(2 ** 52) - 1,
  2 ** 53 - 1,
  -(2 ** 53 - 1),
  2 ** 53,
  -(2 ** 60),
  2 ** 62,
];
