/** Command-line options of `deno task simulate`. */
import { parseArgs } from "node:util";
import type { BreakDown, Silence } from "./trains.ts";

export interface SimulateOptions {
  stepMinutes: number;
  /** Real seconds per step; 0 runs as fast as possible. */
  stepSeconds: number;
  seed: number;
  /** Steps to run; undefined runs until stopped. */
  steps: number | undefined;
  /** Milliseconds since the epoch: midnight UTC of the start day. */
  start: number;
  partitions: number | undefined;
  trainsPerLine: number;
  report: string | undefined;
  weather: boolean;
  connector: boolean;
  /** Staged faults, for tests: trains that break down, and trains that stop reporting. */
  breakDowns: BreakDown[];
  silences: Silence[];
  help: boolean;
}

export const USAGE = `Usage: deno task simulate [options]

Simulates the trains, turnstiles and weather of the Red, Blue and Green lines and produces
their events to Kafka (weather through the REST proxy).

  --step-minutes N      simulated minutes per step (default 5)
  --step-seconds N      real seconds per step, 0 = as fast as possible (default 5)
  --seed N              seed of the random generator (default: drawn and logged)
  --steps N             stop after N steps
  --duration D          stop after a simulated duration such as 90m, 6h or 2d
  --start DATE          start day (ISO date); the clock starts at its midnight UTC (default today)
  --partitions N        partitions of the topics it creates (default TOPIC_PARTITIONS)
  --trains-per-line N   trains on each line (default 10)
  --report FILE         write a JSON summary of what was produced at the end
  --no-weather          produce no weather readings
  --no-connector        do not ensure the stations connector
  --break-down T@S[:N]  train T reports broken_down from step S for N steps (default 4), then
                        runs in service again; repeatable (e.g. --break-down RL002@3:4)
  --silence T@S         train T stops reporting from step S on; repeatable (e.g. BL001@5)
  --help                show this text

Step 0 places the trains; every later step moves them. Staged faults leave the random draws
of every other train as they were.
`;

export class UsageError extends Error {
  override name = "UsageError";
}

function positiveNumber(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min) {
    throw new UsageError(`--${name} must be a number ≥ ${min}, got "${raw}"`);
  }
  return value;
}

function wholeNumber(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = positiveNumber(name, raw, 0, min);
  if (!Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number`);
  return value;
}

const DURATION_UNITS: Record<string, number> = { m: 1, h: 60, d: 1440 };

/** A simulated duration (`90m`, `6h`, `2d`) in minutes. */
export function parseDuration(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([mhd])$/.exec(raw.trim());
  if (!match) throw new UsageError(`--duration must look like 90m, 6h or 2d, got "${raw}"`);
  return Number(match[1]) * DURATION_UNITS[match[2]];
}

/** The default length of a `--break-down`, in steps. */
export const BREAK_DOWN_STEPS = 4;

const LINE_LETTERS = "RBG";

/** `TRAIN@STEP[:STEPS]`, checked against the trains the simulation will have. */
function trainAtStep(
  name: string,
  raw: string,
  trainsPerLine: number,
): { trainId: string; step: number; steps: number | undefined } {
  const match = /^([A-Z]L)(\d{3})@(\d+)(?::(\d+))?$/.exec(raw.trim());
  if (!match) {
    throw new UsageError(`--${name} must look like RL002@3 (train@step), got "${raw}"`);
  }
  const [, prefix, number, step, steps] = match;
  if (!LINE_LETTERS.includes(prefix[0]) || Number(number) >= trainsPerLine) {
    const last = String(trainsPerLine - 1).padStart(3, "0");
    throw new UsageError(
      `--${name} names ${prefix}${number}, but the trains are RL, BL and GL 000 to ${last}`,
    );
  }
  return {
    trainId: prefix + number,
    step: Number(step),
    steps: steps === undefined ? undefined : Number(steps),
  };
}

function breakDown(raw: string, trainsPerLine: number): BreakDown {
  const { trainId, step, steps = BREAK_DOWN_STEPS } = trainAtStep("break-down", raw, trainsPerLine);
  if (step < 1) throw new UsageError("--break-down: step 0 places the trains; start at step 1");
  if (steps < 1) throw new UsageError("--break-down: a break-down lasts at least 1 step");
  return { trainId, step, steps };
}

function silence(raw: string, trainsPerLine: number): Silence {
  const { trainId, step, steps } = trainAtStep("silence", raw, trainsPerLine);
  if (steps !== undefined) {
    throw new UsageError(`--silence takes no length: the train never reports again, got "${raw}"`);
  }
  return { trainId, step };
}

/** Midnight UTC of the day of an ISO date (or of now). */
export function midnightUtc(raw: string | undefined, now: number): number {
  const time = raw === undefined ? now : Date.parse(raw);
  if (Number.isNaN(time)) throw new UsageError(`--start must be an ISO date, got "${raw}"`);
  const day = new Date(time);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
}

export function parseOptions(
  args: string[],
  now = Date.now(),
  drawSeed = () => Math.floor(Math.random() * 2 ** 31),
): SimulateOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        "step-minutes": { type: "string" },
        "step-seconds": { type: "string" },
        seed: { type: "string" },
        steps: { type: "string" },
        duration: { type: "string" },
        start: { type: "string" },
        partitions: { type: "string" },
        "trains-per-line": { type: "string" },
        report: { type: "string" },
        "no-weather": { type: "boolean" },
        "no-connector": { type: "boolean" },
        "break-down": { type: "string", multiple: true },
        silence: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const stepMinutes = positiveNumber("step-minutes", values["step-minutes"], 5);
  if (stepMinutes <= 0) throw new UsageError("--step-minutes must be more than 0");
  if (values.steps !== undefined && values.duration !== undefined) {
    throw new UsageError("give --steps or --duration, not both");
  }
  const steps = values.duration !== undefined
    ? Math.ceil(parseDuration(values.duration) / stepMinutes)
    : wholeNumber("steps", values.steps, 0);
  const trainsPerLine = wholeNumber("trains-per-line", values["trains-per-line"], 1) ?? 10;
  return {
    stepMinutes,
    stepSeconds: positiveNumber("step-seconds", values["step-seconds"], 5),
    seed: wholeNumber("seed", values.seed, 0) ?? drawSeed(),
    steps,
    start: midnightUtc(values.start, now),
    partitions: wholeNumber("partitions", values.partitions, 1),
    trainsPerLine,
    report: values.report,
    weather: !values["no-weather"],
    connector: !values["no-connector"],
    breakDowns: (values["break-down"] ?? []).map((raw) => breakDown(raw, trainsPerLine)),
    silences: (values.silence ?? []).map((raw) => silence(raw, trainsPerLine)),
    help: values.help ?? false,
  };
}
