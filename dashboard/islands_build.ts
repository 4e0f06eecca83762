/** Bundles islands/main.ts for the browser into static/build/islands.js. */

const ROOT = new URL("../", import.meta.url);

export async function buildIslands(): Promise<void> {
  const { code, stderr } = await new Deno.Command("deno", {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      "-o",
      "static/build/islands.js",
      "islands/main.ts",
    ],
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`bundling the islands failed:\n${new TextDecoder().decode(stderr)}`);
  }
}

if (import.meta.main) {
  await buildIslands();
  console.log("built static/build/islands.js");
}
