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
}

export const STAGES = {
  summary: {
    task: "summary",
    consumerGroup: "turnstile-summary",
    script: "pipeline/summary/main.ts",
    permissions: "stage",
    health: true,
    startedByStart: true,
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

/** The deno.json task line of a stage. */
export function taskLine(stage: StageSpec): string {
  return `deno ${denoArgs(stage).join(" ")}`;
}
