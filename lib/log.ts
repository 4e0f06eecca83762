/**
 * The one logger of every process: `logger(name).info(message, fields)`.
 *
 * - Readable (default): `<name>: <message> {"field":value,...}`, the look start.ts relays.
 * - `LOG_FORMAT=json`: one object per line, `{"ts","level","stage","logger","msg",...fields}`;
 *   `stage` is the process (set by `stageLogger`), `logger` the part of it that logs.
 * - debug and info lines go to stdout, warn and error lines to stderr, in both formats.
 * - `LOG_LEVEL` (debug, info, warn, error; default info) drops the lines below it.
 * - Secrets never reach a line: fields whose key names a secret are replaced with "[redacted]"
 *   (recursively), the values given to `registerSecret` (lib/config.ts registers every password
 *   it loads) are masked wherever they appear in a message, a string field or an error, and so is
 *   the `user:password@` part of URLs.
 */

export type Level = "debug" | "info" | "warn" | "error";
export type LogFormat = "readable" | "json";
export type Fields = Record<string, unknown>;

export interface Logger {
  readonly name: string;
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** Whether a line of `level` would be written: skip building costly fields otherwise. */
  enabled(level: Level): boolean;
}

/** Where lines go and how they look; tests pass their own. */
export interface LogOutput {
  format: LogFormat;
  level: Level;
  write(stream: "stdout" | "stderr", line: string): void;
  now(): Date;
  secrets: SecretMask;
  /** The process's stage, on every JSON line once set. */
  stage?: string;
}

export const LEVELS: readonly Level[] = ["debug", "info", "warn", "error"];
export const REDACTED = "[redacted]";

/**
 * Keys whose values are secrets, whatever they hold. `pass` alone only as the whole key, so that
 * `passengers` or `passed` stay readable.
 */
export const SECRET_KEY =
  /passw|passphrase|^pass$|pwd|secret|token|credential|authorization|basic_?auth|user_?info|sasl|api[_-]?key|private[_-]?key/i;

// The shortest value masked in text: shorter ones would blot out ordinary words.
const SHORTEST_SECRET = 4;

/** Known secret values, masked wherever they appear in text. */
export class SecretMask {
  #values = new Set<string>();

  add(value: string | undefined): void {
    if (value && value.length >= SHORTEST_SECRET) this.#values.add(value);
  }

  mask(text: string): string {
    let masked = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, `$1${REDACTED}@`);
    // Longest first, so that a secret containing another is masked whole.
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      masked = masked.replaceAll(value, REDACTED);
    }
    return masked.replace(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
      REDACTED,
    );
  }
}

const MAX_DEPTH = 8;

/**
 * `value` safe to log: secret keys replaced, secret values masked, errors as `Name: message`,
 * bigints as strings, cycles and very deep nesting cut short.
 */
export function redact(value: unknown, secrets: SecretMask, depth = 0): unknown {
  if (typeof value === "string") return secrets.mask(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return secrets.mask(`${value.name}: ${value.message}`);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets, depth + 1));
  if (value instanceof Map) return redact(Object.fromEntries(value), secrets, depth);
  if (value instanceof Set) return redact([...value], secrets, depth);
  if (value instanceof Uint8Array) return `[${value.length} bytes]`;
  const out: Fields = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null
      ? REDACTED
      : redact(item, secrets, depth + 1);
  }
  return out;
}

export interface LogEntry {
  ts: Date;
  level: Level;
  logger: string;
  stage?: string;
  msg: string;
  fields?: Fields;
}

// Names a JSON line uses itself; fields by these names are written with a trailing underscore.
const RESERVED = new Set(["ts", "level", "stage", "logger", "msg"]);

/** One line, without its newline. Expects an entry already redacted. */
export function formatEntry(entry: LogEntry, format: LogFormat): string {
  const fields = entry.fields ?? {};
  if (format === "json") {
    const line: Fields = { ts: entry.ts.toISOString(), level: entry.level };
    if (entry.stage !== undefined) line.stage = entry.stage;
    line.logger = entry.logger;
    line.msg = entry.msg;
    for (const [key, value] of Object.entries(fields)) {
      line[RESERVED.has(key) ? `${key}_` : key] = value;
    }
    return JSON.stringify(line);
  }
  const parts = [`${entry.logger}:`];
  if (entry.msg !== "") parts.push(entry.msg);
  if (Object.keys(fields).length > 0) parts.push(JSON.stringify(fields));
  return parts.join(" ");
}

/** Writes one entry to `output`, if its level passes; redaction happens here, for every line. */
export function writeEntry(
  output: LogOutput,
  name: string,
  level: Level,
  message: string,
  fields: Fields | undefined,
  threshold: Level = output.level,
): void {
  if (LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return;
  const entry: LogEntry = {
    ts: output.now(),
    level,
    logger: output.secrets.mask(name),
    stage: output.stage,
    msg: output.secrets.mask(message),
    fields: fields && Object.keys(fields).length > 0
      ? redact(fields, output.secrets) as Fields
      : undefined,
  };
  const stream = level === "warn" || level === "error" ? "stderr" : "stdout";
  output.write(stream, formatEntry(entry, output.format));
}

export interface LoggerOptions {
  /** This logger's own threshold instead of the output's (e.g. KAFKA_LOG_LEVEL for kafkajs). */
  level?: Level;
  output?: LogOutput;
}

/** A logger named `name`; its lines go to the process's output unless told otherwise. */
export function logger(name: string, options: LoggerOptions = {}): Logger {
  const out = () => options.output ?? processOutput();
  const threshold = () => options.level ?? out().level;
  const at = (level: Level) => (message: string, fields?: Fields) =>
    writeEntry(out(), name, level, message, fields, threshold());
  return {
    name,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    enabled: (level) => LEVELS.indexOf(level) >= LEVELS.indexOf(threshold()),
  };
}

/**
 * The logger of a process's entry point: also names the process's stage, which every JSON line
 * of the process carries from then on (the kafkajs lines too).
 */
export function stageLogger(name: string, output: LogOutput = processOutput()): Logger {
  output.stage = name;
  return logger(name, { output });
}

/** A secret the process knows: masked in every line from now on. */
export function registerSecret(value: string | undefined): void {
  processSecrets.add(value);
}

/** `LOG_LEVEL`'s level, or undefined when it names none. */
export function parseLevel(raw: string | undefined): Level | undefined {
  const value = (raw ?? "").trim().toLowerCase();
  return (LEVELS as readonly string[]).includes(value) ? value as Level : undefined;
}

const processSecrets = new SecretMask();
let processWide: LogOutput | undefined;

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no env permission: the defaults
  }
}

/** The process's output, from LOG_FORMAT and LOG_LEVEL, made on first use. */
export function processOutput(): LogOutput {
  if (processWide) return processWide;
  const rawFormat = (env("LOG_FORMAT") ?? "").trim().toLowerCase();
  const rawLevel = env("LOG_LEVEL");
  processWide = {
    format: rawFormat === "json" ? "json" : "readable",
    level: parseLevel(rawLevel) ?? "info",
    write: (stream, line) => stream === "stdout" ? console.log(line) : console.error(line),
    now: () => new Date(),
    secrets: processSecrets,
  };
  const log = logger("log", { output: processWide });
  if (rawFormat !== "" && rawFormat !== "json" && rawFormat !== "readable") {
    log.warn(`LOG_FORMAT must be json or readable, got "${rawFormat}"; using readable`);
  }
  if (rawLevel && !parseLevel(rawLevel)) {
    log.warn(`LOG_LEVEL must be one of ${LEVELS.join(", ")}, got "${rawLevel}"; using info`);
  }
  return processWide;
}
