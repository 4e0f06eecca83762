import type { ComponentChildren } from "preact";

/** The page shell: one stylesheet and one module script, both from this origin. */
export default function App({ children }: { children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#1b1f24" />
        <title>CTA Transit Status</title>
        <link rel="stylesheet" href="/static/styles.css" />
        <script type="module" src="/static/build/islands.js" />
      </head>
      <body>
        <header class="masthead">
          <h1>
            <span class="logo" aria-hidden="true">L</span> Transit Status
          </h1>
          <p class="tagline">Chicago &lsquo;L&rsquo; trains, live</p>
        </header>
        <main>{children}</main>
        <footer class="footnote">
          Red, Blue and Green lines. Entries are turnstile counts since the start of the feed.{" "}
          <a href="/ops">Operations</a>
        </footer>
      </body>
    </html>
  );
}
