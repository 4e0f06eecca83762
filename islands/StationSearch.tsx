import { useEffect, useRef, useState } from "preact/hooks";
import type { StationMatch } from "../dashboard/station_search.ts";
import { LINE_LABELS } from "../dashboard/station_view.ts";

const LISTBOX_ID = "station-search-listbox";
const DEBOUNCE_MS = 120;

const optionId = (match: StationMatch) => `station-option-${match.station_id}`;

function linesInWords(match: StationMatch): string {
  return match.lines.map((line) => LINE_LABELS[line]).join(", ");
}

/**
 * The station search in every page's header, a WAI-ARIA combobox: type a name, move through the
 * matches with the arrow keys, Enter opens the station's page, Escape closes the list. Without
 * JavaScript it is a plain form that lists the matches on /stations?q=.
 */
export default function StationSearch({ query: initialQuery = "" }: { query?: string }) {
  const [query, setQuery] = useState(initialQuery);
  const [matches, setMatches] = useState<StationMatch[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState("");
  const pending = useRef<AbortController | null>(null);

  useEffect(() => {
    const text = query.trim();
    if (text === "") {
      pending.current?.abort();
      setMatches([]);
      setOpen(false);
      setStatus("");
      return;
    }
    const timer = setTimeout(async () => {
      pending.current?.abort();
      const controller = new AbortController();
      pending.current = controller;
      try {
        const res = await fetch(`/api/stations/search?q=${encodeURIComponent(text)}`, {
          signal: controller.signal,
        });
        if (!res.ok) return;
        const found = (await res.json()).matches as StationMatch[];
        setMatches(found);
        setActive(-1);
        setOpen(document.activeElement?.id === "station-search-input");
        setStatus(
          found.length === 0
            ? "No stations found"
            : `${found.length} station${found.length === 1 ? "" : "s"} found`,
        );
      } catch {
        // Aborted by a newer query, or offline: the form still works.
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query]);

  const go = (match: StationMatch) => {
    location.assign(`/stations/${match.station_id}`);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        if (matches.length === 0) return;
        setOpen(true);
        setActive((i) => (i + 1) % matches.length);
        return;
      case "ArrowUp":
        e.preventDefault();
        if (matches.length === 0) return;
        setOpen(true);
        setActive((i) => (i <= 0 ? matches.length - 1 : i - 1));
        return;
      case "Enter":
        if (open && active >= 0 && matches[active]) {
          e.preventDefault();
          go(matches[active]);
        }
        return;
      case "Escape":
        if (open) {
          e.preventDefault();
          setOpen(false);
          setActive(-1);
        } else if (query) {
          e.preventDefault();
          setQuery("");
        }
        return;
    }
  };

  const expanded = open && matches.length > 0;
  return (
    <form
      class="station-search"
      role="search"
      aria-label="Find a station"
      action="/stations"
      method="get"
    >
      <label for="station-search-input" class="visually-hidden">Find a station</label>
      <div class="combobox">
        <input
          id="station-search-input"
          name="q"
          type="text"
          role="combobox"
          autocomplete="off"
          spellcheck={false}
          placeholder="Find a station"
          aria-autocomplete="list"
          aria-expanded={expanded ? "true" : "false"}
          aria-controls={LISTBOX_ID}
          aria-activedescendant={expanded && active >= 0 && matches[active]
            ? optionId(matches[active])
            : undefined}
          value={query}
          onInput={(e) => {
            setQuery((e.target as HTMLInputElement).value);
          }}
          onKeyDown={onKeyDown}
          onFocus={() => matches.length > 0 && setOpen(true)}
          onBlur={() => setOpen(false)}
        />
        <ul id={LISTBOX_ID} role="listbox" aria-label="Stations" class="listbox" hidden={!expanded}>
          {matches.map((match, i) => (
            <li
              key={match.station_id}
              id={optionId(match)}
              role="option"
              aria-selected={i === active ? "true" : "false"}
              class={i === active ? "option active" : "option"}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => go(match)}
            >
              <span class="option-name">{match.name}</span>
              {match.detail && <span class="option-detail">{match.detail}</span>}
              <span class="option-lines">{linesInWords(match)}</span>
            </li>
          ))}
        </ul>
      </div>
      <button type="submit" class="search-button">Search</button>
      <div class="visually-hidden" role="status" aria-live="polite">{status}</div>
    </form>
  );
}
