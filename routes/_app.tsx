import type { ComponentChildren } from "preact";
import type { Alert } from "../lib/contracts/alerts.ts";
import StationSearch from "../islands/StationSearch.tsx";
import AlertBanner from "../islands/AlertBanner.tsx";

/**
 * The page shell: one stylesheet and one module script, both from this origin. Every page has the
 * station search and the alert banner; `alerts` are the active ones when the page is rendered.
 */
export default function App(
  { children, alerts = {}, title }: {
    children: ComponentChildren;
    alerts?: Record<string, Alert>;
    /** What the page shows, before the site's name in the window title. */
    title?: string;
  },
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#1b1f24" />
        <title>{title ? `${title} · CTA Transit Status` : "CTA Transit Status"}</title>
        <link rel="stylesheet" href="/static/styles.css" />
        <script type="module" src="/static/build/islands.js" />
      </head>
      <body>
        <header class="masthead">
          <h1>
            <span class="logo" aria-hidden="true">L</span> Transit Status
          </h1>
          <p class="tagline">Chicago &lsquo;L&rsquo; trains, live</p>
          <div id="station-search" class="masthead-search">
            <StationSearch />
          </div>
        </header>
        <div id="alert-banner">
          <AlertBanner alerts={alerts} />
        </div>
        <script type="application/json" id="alert-banner-state">
          {JSON.stringify({ alerts })}
        </script>
        <main>{children}</main>
        <footer class="footnote">
          Red, Blue and Green lines. Entries are turnstile counts since the start of the feed.{" "}
          <a href="/ops">Operations</a>
        </footer>
      </body>
    </html>
  );
}
