/**
 * The kafkajs package itself ("kafkajs-upstream" in deno.json), reached as CommonJS so that its
 * internals can be read and patched; "kafkajs" is lib/kafkajs.ts, which installs the patches.
 * Importing this module patches nothing.
 */
import { createRequire } from "node:module";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The kafkajs release whose code the patches reproduce. */
export const KAFKAJS_VERSION = "2.2.4";

/** The part of a CommonJS `require` that the patches use. */
export interface KafkajsRequire {
  (id: string): Any;
  resolve(id: string): string;
  cache: Record<string, { exports: unknown } | undefined>;
}

/** A `require` that reaches the very module instances kafkajs itself uses. */
export function kafkajsRequire(): KafkajsRequire {
  return createRequire(import.meta.resolve("kafkajs-upstream")) as KafkajsRequire;
}

/** The line to log instead of installing `patch` over kafkajs `version`; undefined if it fits. */
export function versionMismatch(version: unknown, patch: string): string | undefined {
  if (version === KAFKAJS_VERSION) return undefined;
  return `${patch} off: kafkajs is ${String(version)}, ` +
    `written for kafkajs ${KAFKAJS_VERSION} and not installed over another`;
}
