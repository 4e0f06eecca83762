import type { Line } from "../lib/contracts/enums.ts";
import { LINE_LABELS, type StationView } from "../dashboard/station_view.ts";
import { formatChicagoTime } from "../dashboard/chicago_time.ts";

export function LineBadge({ line }: { line: Line }) {
  return <span class={`line-badge line-badge-${line}`}>{LINE_LABELS[line]}</span>;
}

/** The next trains at a station, per line and direction, with times and conditions in words. */
export function StationArrivals({ view }: { view: StationView }) {
  return (
    <section class="station-arrivals" aria-labelledby="arrivals-heading">
      <h3 id="arrivals-heading">Next trains</h3>
      <p class="station-clock" data-testid="station-clock">
        {view.clock === null
          ? "Waiting for the first train report."
          : `As of ${formatChicagoTime(view.clock)} Chicago time on the train clock.`}
      </p>
      <div class="platforms">
        {view.directions.map((d) => (
          <div
            class={`platform platform-${d.line}`}
            key={`${d.line}-${d.direction}`}
            data-line={d.line}
            data-direction={d.direction}
          >
            <h4>
              <LineBadge line={d.line} /> <span class="toward">{d.toward}</span>
            </h4>
            {d.arrivals.length === 0
              ? <p class="no-trains">No trains predicted</p>
              : (
                <ol class="arrivals">
                  {d.arrivals.map((a) => (
                    <li
                      key={a.train_id}
                      class={`arrival condition-${a.condition}`}
                      data-train={a.train_id}
                    >
                      <span class="arrival-when" data-testid="arrival-when">{a.when}</span>
                      <span class="arrival-to">to {a.destination}</span>
                      <span class="arrival-condition">{a.conditionWords}</span>
                      <span class="arrival-train">Train {a.train_id}</span>
                    </li>
                  ))}
                </ol>
              )}
          </div>
        ))}
      </div>
    </section>
  );
}
