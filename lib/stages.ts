/**
 * Every process of the system that a user starts as a Deno task: its script, the permission set
 * it runs under (deno.json "permissions") and whether it serves /healthz and /readyz. deno.json's
 * tasks, start.ts, the chaos run, the tests and the benchmarks start stages from here; a test
 * keeps deno.json's tasks in step.
 */

export interface StageSpec {
  /** The deno.json task. */
  task: string;
  script: string;
  /** A permission set of deno.json. */
  permissions: "stage" | "client" | "serve";
  /** Serves /healthz and /readyz on HEALTH_HOST:HEALTH_PORT (the dashboard on its own port). */
  health: boolean;
  /** `deno task start` runs it (the REST proxy runs in the stack, the connector is one-shot). */
  startedByStart: boolean;
  /** The consumer group it reads in by default, under TOPIC_NAMESPACE. */
  consumerGroup?: string;
  /**
   * Throughput work that may take every idle cycle but should yield to the serving path (the
   * broker, the dashboard, a rider's browser): `launchCommand` runs it in the background, at this
   * niceness (a lower CPU weight, see `cpuWeight`).
   */
  niceness?: number;
}

export const STAGES = {
  summary: {
    task: "summary",
    consumerGroup: "turnstile-summary",
    script: "pipeline/summary/main.ts",
    permissions: "stage",
    health: true,
    startedByStart: true,
    // Below the serving path, but above the load it counts: a summary that had to share the CPU
    // with the simulation as an equal would fall behind it by a batch or more at full speed.
    niceness: 10,
  },
  // Needs every partition of the arrivals: one instance works, more stand by.
  predictions: {
    task: "predictions",
    consumerGroup: "predictions",
    script: "pipeline/predictions/main.ts",
    permissions: "stage",
    health: true,
    startedByStart: true,
  },
  stations: {
    task: "stations",
    consumerGroup: "stations-transform",
    script: "pipeline/stations/main.ts",
    permissions: "stage",
    health: true,
    startedByStart: true,
  },
  history: {
    task: "history",
    consumerGroup: "ridership-history",
    script: "pipeline/history/main.ts",
    permissions: "stage",
    health: true,
    startedByStart: true,
  },
  // Writes its --report file.
  simulate: {
    task: "simulate",
    script: "pipeline/simulate.ts",
    permissions: "client",
    health: true,
    startedByStart: true,
    // The load generator, below everything: at full speed it takes what the rest leave.
    niceness: 19,
  },
  restProxy: {
    task: "rest-proxy",
    script: "rest_proxy/main.ts",
    permissions: "stage",
    health: true,
    startedByStart: false,
  },
  connector: {
    task: "connector",
    script: "pipeline/connector.ts",
    permissions: "stage",
    health: false,
    startedByStart: false,
  },
  // Builds its islands into static/build.
  dashboard: {
    task: "serve",
    script: "main.ts",
    permissions: "serve",
    health: false,
    startedByStart: true,
  },
} as const satisfies Record<string, StageSpec>;

export type StageName = keyof typeof STAGES;

/** What `deno task start` runs, in order: the dashboard last, once every health port is known. */
export function stagesStartedByStart(): [StageName, StageSpec][] {
  const started = (Object.entries(STAGES) as [StageName, StageSpec][])
    .filter(([, stage]) => stage.startedByStart);
  return [
    ...started.filter(([, stage]) => stage !== STAGES.dashboard),
    ...started.filter(([, stage]) => stage === STAGES.dashboard),
  ];
}

/** `deno` arguments that run a stage: `run -P=<set> <script> ...args`. */
export function denoArgs(stage: StageSpec, args: readonly string[] = []): string[] {
  return ["run", `-P=${stage.permissions}`, stage.script, ...args];
}

/** Linux's CPU weight of a niceness, which Docker's `cpu_shares` also gives: 1024 at nice 0. */
export function cpuWeight(niceness: number): number {
  return Math.round(1024 / 1.25 ** niceness);
}

/**
 * Sets the niceness of the shell's session (Linux's autogroup: with it on, as on desktops, the
 * scheduler shares the CPU between sessions first, so a process's own niceness only ranks it
 * within its session) when there is one, then becomes `nice -n <niceness> "$@"`, so that every
 * thread of the stage has it too.
 */
const IN_BACKGROUND = '{ echo "$0" > /proc/self/autogroup; } 2>/dev/null; exec nice -n "$0" "$@"';

export interface LaunchCommand {
  cmd: string;
  args: string[];
  /** In a session of its own: Ctrl+C in a terminal does not reach it, its launcher stops it. */
  detached: boolean;
}

/**
 * How launchers (start.ts, the benchmarks) run a stage: `deno` with `denoArgs`, a background
 * stage in a session of its own at its niceness (Linux and macOS; elsewhere as any other).
 */
export function launchCommand(
  stage: StageSpec,
  args: readonly string[] = [],
  deno = Deno.execPath(),
  os: typeof Deno.build.os = Deno.build.os,
): LaunchCommand {
  const run = denoArgs(stage, args);
  if (stage.niceness === undefined || os === "windows") {
    return { cmd: deno, args: run, detached: false };
  }
  return inBackground(stage.niceness, deno, run);
}

/** Any command run as a background stage is: in a session of its own, at `niceness`. */
export function inBackground(
  niceness: number,
  cmd: string,
  args: readonly string[],
): LaunchCommand {
  return { cmd: "sh", args: ["-c", IN_BACKGROUND, String(niceness), cmd, ...args], detached: true };
}

/** The deno.json task line of a stage. */
export function taskLine(stage: StageSpec): string {
  return `deno ${denoArgs(stage).join(" ")}`;
}
