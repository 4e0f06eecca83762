/** What every service of the stack provides, and the context they share. */
import type { ComponentPaths } from "./fetch.ts";
import type { JavaCandidate } from "./java.ts";
import type { StackPorts, StackSettings } from "./settings.ts";

export interface StackContext {
  settings: StackSettings;
  /** Resolved lazily, only when a service that needs them starts. */
  components: () => Promise<ComponentPaths>;
  java: (minMajor: number, homeVariable?: string) => Promise<JavaCandidate>;
  progress: (message: string) => void;
}

export interface Service {
  name: string;
  /** Ports it binds, so that a busy port is reported before starting. */
  ports: (keyof StackPorts)[];
  /** Every port it binds, when some are not in StackPorts (the nodes of a Kafka cluster). */
  listenPorts?: (settings: StackSettings) => number[];
  url: (settings: StackSettings) => string;
  logFile: (settings: StackSettings) => string | Promise<string>;
  readyTimeoutMs: number;
  stopSignal?: Deno.Signal;
  /** How long a stop may take before SIGKILL (default 20 s). */
  stopTimeoutMs?: number;
  /** Checks that need nothing running (binaries, Java, files); throws a StackError. */
  prepare?: (ctx: StackContext) => Promise<void>;
  /** Why the service cannot exist here (e.g. its source file is absent), if so. */
  missing?: (settings: StackSettings) => Promise<string | undefined>;
  /** Starts the process and returns the pid of its group leader. */
  start: (ctx: StackContext) => Promise<number>;
  /** Reads the pid of a running instance (default: the pid file the stack wrote). */
  pid?: (settings: StackSettings) => Promise<number | undefined>;
  healthy: (settings: StackSettings) => Promise<boolean>;
  /** One-time setup after it is healthy (e.g. database and table). */
  afterStart?: (ctx: StackContext) => Promise<void>;
}

/** The ports a service binds. */
export function portsOf(service: Service, s: StackSettings): number[] {
  return service.listenPorts?.(s) ?? service.ports.map((key) => s.ports[key]);
}

export const runDir = (s: StackSettings) => `${s.stackDir}/run`;
export const logDir = (s: StackSettings) => `${s.stackDir}/logs`;
export const confDir = (s: StackSettings) => `${s.stackDir}/conf`;
export const pidFile = (s: StackSettings, name: string) => `${runDir(s)}/${name}.pid`;
export const serviceLog = (s: StackSettings, name: string) => `${logDir(s)}/${name}.log`;

export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** True when `needle` appears in `file` after byte `from`. */
export async function logContains(file: string, needle: string, from = 0): Promise<boolean> {
  try {
    const bytes = await Deno.readFile(file);
    return new TextDecoder().decode(bytes.subarray(from)).includes(needle);
  } catch {
    return false;
  }
}

export async function fileSize(file: string): Promise<number> {
  try {
    return (await Deno.stat(file)).size;
  } catch {
    return 0;
  }
}
