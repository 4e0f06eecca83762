import { useEffect, useRef, useState } from "preact/hooks";
import type { Alert } from "../lib/contracts/alerts.ts";
import { alertAnnouncement, alertHeadline, sortedAlerts } from "../dashboard/alert_words.ts";
import { formatChicagoTime } from "../dashboard/chicago_time.ts";
import { useLiveState } from "./use_live_state.ts";

export interface AlertBannerProps {
  /** The active alerts when the page was rendered. */
  alerts: Record<string, Alert>;
}

/**
 * The active service alerts, on every page, kept current from /api/events. A polite live region
 * tells screen readers when an alert is raised or cleared.
 */
export default function AlertBanner({ alerts: initial }: AlertBannerProps) {
  const { state, version } = useLiveState();
  const alerts = state?.alerts ?? initial;
  const shown = useRef(initial);
  const [announcement, setAnnouncement] = useState("");

  useEffect(() => {
    const said = alertAnnouncement(shown.current, alerts);
    // A copy: the live state's alerts change in place.
    shown.current = { ...alerts };
    if (said) setAnnouncement(said);
  }, [version]);

  const list = sortedAlerts(alerts);
  return (
    <div class="alerts">
      {list.length > 0 && (
        <section class="alert-banner" aria-labelledby="alerts-heading" data-testid="alert-banner">
          <h2 id="alerts-heading">
            Service alert{list.length === 1 ? "" : "s"} ({list.length})
          </h2>
          <ul>
            {list.map((a) => (
              <li key={a.alert_id} class={`alert alert-${a.kind}`} data-alert-id={a.alert_id}>
                <span class="alert-icon" aria-hidden="true">!</span>
                <span class="alert-text">
                  <strong>{alertHeadline(a)}.</strong> {a.message}{" "}
                  <span class="alert-since">Since {formatChicagoTime(a.raised_at)}.</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <div
        class="visually-hidden"
        role="status"
        aria-live="polite"
        aria-atomic="true"
        data-testid="alert-announcer"
      >
        {announcement}
      </div>
    </div>
  );
}
