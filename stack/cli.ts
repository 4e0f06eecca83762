/** The arguments of `deno task stack` (pure: arguments in, a command out). */
import { parseBrokers } from "./settings.ts";

export const USAGE =
  "usage: deno task stack up [--brokers N] [--secure] | status | logs <service> [-f] | down [--wipe]";

/** Arguments that name no command: the caller prints the usage line and exits with 2. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(message = USAGE) {
    super(message);
  }
}

interface Common {
  /** `--brokers N` (any command), when given; otherwise KAFKA_BROKERS or the recorded size. */
  brokers?: number;
}

export type StackCommand =
  | Common & {
    name: "up";
    secure: boolean;
    /** Only these services (`up postgres kafka`); all of them when empty. */
    services: string[];
  }
  | Common & { name: "status" }
  | Common & { name: "down"; wipe: boolean }
  | Common & {
    name: "logs";
    /** Checked against the stack's services by the caller, which knows their names. */
    service?: string;
    follow: boolean;
    lines: string;
  };

/** Throws a UsageError for arguments that name no command, a StackError for a bad broker count. */
export function parseCommand(args: string[]): StackCommand {
  const rest = args.slice(1);
  const brokers = brokersFlag(args);
  switch (args[0]) {
    case "up":
      return {
        name: "up",
        brokers,
        secure: rest.includes("--secure"),
        services: rest.filter((a, i) => !a.startsWith("-") && rest[i - 1] !== "--brokers"),
      };
    case "status":
      return { name: "status", brokers };
    case "down":
      return { name: "down", brokers, wipe: rest.includes("--wipe") };
    case "logs": {
      const n = rest.indexOf("-n");
      if (n >= 0 && rest[n + 1] === undefined) throw new UsageError();
      return {
        name: "logs",
        brokers,
        // Numbers are the values of -n and --brokers, not service names.
        service: rest.find((a) => !a.startsWith("-") && !/^\d+$/.test(a)),
        follow: rest.includes("-f"),
        lines: n >= 0 ? rest[n + 1] : "50",
      };
    }
    default:
      throw new UsageError();
  }
}

function brokersFlag(args: string[]): number | undefined {
  const flag = args.indexOf("--brokers");
  if (flag < 0) return undefined;
  const value = args[flag + 1];
  if (value === undefined || value === "") throw new UsageError();
  return parseBrokers(value);
}
