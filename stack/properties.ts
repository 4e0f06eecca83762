/** Properties files as the stack writes them: `key=value` lines, nothing to escape. */

export function properties(entries: Record<string, string | number>): string {
  return Object.entries(entries).map(([key, value]) => `${key}=${value}`).join("\n") + "\n";
}

/** Parses a properties text written by `properties` (comments skipped). */
export function parseProperties(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0 && !line.startsWith("#")) entries.set(line.slice(0, i), line.slice(i + 1));
  }
  return entries;
}
