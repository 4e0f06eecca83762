/** The status table that `up` and `status` print: each service, then the stations connector. */
import {
  type ConnectorStatus,
  stationsConnectorName,
  stationsConnectorStatus,
} from "../lib/connector.ts";
import { stackConfig } from "./client_env.ts";
import { groupRssMiB, isAlive, readPid } from "./process.ts";
import { pidFile, type Service } from "./service.ts";
import type { StackSettings } from "./settings.ts";
import { renderTable } from "./table.ts";

export interface Observed {
  service: Service;
  pid?: number;
  alive: boolean;
  healthy: boolean;
  missing?: string;
}

export async function servicePid(service: Service, s: StackSettings): Promise<number | undefined> {
  return service.pid ? await service.pid(s) : await readPid(pidFile(s, service.name));
}

export async function observe(service: Service, s: StackSettings): Promise<Observed> {
  const missing = await service.missing?.(s);
  const pid = await servicePid(service, s);
  const alive = pid !== undefined && isAlive(pid);
  const healthy = alive && await service.healthy(s);
  return { service, pid: alive ? pid : undefined, alive, healthy, missing };
}

export function stateOf(o: Observed): string {
  if (o.missing) return `missing (${o.missing})`;
  if (o.healthy) return "healthy";
  return o.alive ? "unhealthy" : "stopped";
}

/** A connector status as the table shows it: `RUNNING (tasks RUNNING)`, or `absent`. */
export function describeConnector(status: ConnectorStatus | undefined): string {
  if (!status) return "absent";
  const tasks = (status.tasks ?? []).map((t) => t.state).join(",");
  return `${status.connector?.state} (tasks ${tasks || "none"})`;
}

/** The stations connector's state from Kafka Connect; "unknown" when Connect gives none. */
export async function connectorState(s: StackSettings, timeoutMs = 2000): Promise<string> {
  const config = stackConfig(s);
  try {
    return describeConnector(await stationsConnectorStatus(config, timeoutMs));
  } catch {
    return "unknown";
  }
}

/** The table (pure once `rssMiB` is given); a connector row when `connector` is. */
export function statusTable(
  s: StackSettings,
  observed: Observed[],
  connector?: { name: string; state: string },
  rssMiB: (pid: number) => number | undefined = groupRssMiB,
): string {
  const rows = observed.map((o) => [
    o.service.name,
    o.service.url(s),
    stateOf(o),
    o.pid ? String(o.pid) : "-",
    o.pid ? `${rssMiB(o.pid) ?? "-"} MiB` : "-",
  ]);
  if (connector) {
    rows.push([
      `connector ${connector.name}`,
      `${s.host}:${s.ports.connect}`,
      connector.state,
      "-",
      "-",
    ]);
  }
  return renderTable(["service", "url", "state", "pid", "rss"], rows);
}

/** Prints the table, with the connector row when its state is given. */
export function printStatus(s: StackSettings, observed: Observed[], connector?: string): void {
  const row = connector === undefined
    ? undefined
    : { name: stationsConnectorName(stackConfig(s)), state: connector };
  console.log(statusTable(s, observed, row));
}
