/** The chaos run's command line (pure). */
import { parseArgs } from "node:util";

export const HELP = `Usage: deno task chaos [options]

  --brokers N         1 (default) or 3: the size of the Kafka cluster
  --steps N           simulation steps (default 60)
  --step-seconds S    real seconds per step (default 1.5)
  --step-minutes M    simulated minutes per step (default 15)
  --seed N            seed of the simulation and of the fault schedule (default 42)
  --summary-kills N   SIGKILLs of the turnstile summary (default 10)
  --zombie-at MS      when the other summary instance is paused, in ms after the simulation
                      started (default 5000, amid the summary kills)
  --keep              leave the isolated stack running (it is wiped otherwise)

Environment: STACK_DIR and the stack's port variables choose the isolated stack; by default it
lives in .stack/chaos-<brokers> with every port shifted by CHAOS_PORT_SHIFT (600, or 700 for a
cluster).`;

export interface Options {
  brokers: number;
  steps: number;
  stepSeconds: number;
  stepMinutes: number;
  seed: number;
  summaryKills: number;
  zombieAtMs: number;
  keep: boolean;
}

/** The options, or null for --help; an unknown option throws. */
export function parseOptions(args: string[]): Options | null {
  const { values } = parseArgs({
    args,
    options: {
      brokers: { type: "string", default: "1" },
      steps: { type: "string", default: "60" },
      "step-seconds": { type: "string", default: "1.5" },
      "step-minutes": { type: "string", default: "15" },
      seed: { type: "string", default: "42" },
      "summary-kills": { type: "string", default: "10" },
      "zombie-at": { type: "string", default: "5000" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return null;
  return {
    brokers: Number(values.brokers),
    steps: Number(values.steps),
    stepSeconds: Number(values["step-seconds"]),
    stepMinutes: Number(values["step-minutes"]),
    seed: Number(values.seed),
    summaryKills: Number(values["summary-kills"]),
    zombieAtMs: Number(values["zombie-at"]),
    keep: values.keep,
  };
}

/** The arguments of pipeline/simulate.ts for this run, its report written to `reportFile`. */
export function simulateArgs(options: Options, reportFile: string): string[] {
  return [
    "--seed",
    String(options.seed),
    "--steps",
    String(options.steps),
    "--step-seconds",
    String(options.stepSeconds),
    "--step-minutes",
    String(options.stepMinutes),
    "--start",
    "2026-11-02",
    "--report",
    reportFile,
    // chaos starts the stations connector itself, before the simulation
    "--no-connector",
  ];
}
