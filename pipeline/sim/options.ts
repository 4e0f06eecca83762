/** Command-line options of `deno task simulate`. */
import { parseArgs } from "node:util";

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
  --help                show this text
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
  return {
    stepMinutes,
    stepSeconds: positiveNumber("step-seconds", values["step-seconds"], 5),
    seed: wholeNumber("seed", values.seed, 0) ?? drawSeed(),
    steps,
    start: midnightUtc(values.start, now),
    partitions: wholeNumber("partitions", values.partitions, 1),
    trainsPerLine: wholeNumber("trains-per-line", values["trains-per-line"], 1) ?? 10,
    report: values.report,
    weather: !values["no-weather"],
    connector: !values["no-connector"],
    help: values.help ?? false,
  };
}
