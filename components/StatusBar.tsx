import { formatAge } from "../dashboard/format.ts";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

const STATUS_LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting",
  live: "Live",
  reconnecting: "Reconnecting",
  offline: "Offline",
};

export function StatusBar(
  { status, updatedAt, now }: { status: ConnectionStatus; updatedAt: number | null; now: number },
) {
  return (
    <div class="status-bar">
      <span class={`pill pill-${status}`} data-status={status}>
        <span class="pill-dot" aria-hidden="true" />
        {STATUS_LABELS[status]}
      </span>
      <span class="age" data-testid="age">{formatAge(updatedAt, now)}</span>
    </div>
  );
}
