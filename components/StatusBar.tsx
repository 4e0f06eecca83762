import { formatAge } from "../dashboard/format.ts";
import { formatChicagoDateTime } from "../dashboard/chicago_time.ts";

export type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline";

const STATUS_LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting",
  live: "Live",
  reconnecting: "Reconnecting",
  offline: "Offline",
};

export function StatusBar(
  { status, updatedAt, now, clock }: {
    status: ConnectionStatus;
    updatedAt: number | null;
    now: number;
    /** The event-time clock: the time of the newest train report. */
    clock: number | null;
  },
) {
  return (
    <div class="status-bar">
      <span class={`pill pill-${status}`} data-status={status}>
        <span class="pill-dot" aria-hidden="true" />
        {STATUS_LABELS[status]}
      </span>
      {clock !== null && (
        <span class="train-clock" data-testid="train-clock">
          Trains as of {formatChicagoDateTime(clock)}
        </span>
      )}
      <span class="age" data-testid="age">{formatAge(updatedAt, now)}</span>
    </div>
  );
}
