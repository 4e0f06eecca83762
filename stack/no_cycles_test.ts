import assert from "node:assert/strict";

const STACK_DIR = new URL("./", import.meta.url);

// `import … from "x"`, `import type … from "x"`, `export … from "x"` (clauses may span lines),
// and the bare `import "x"`. Dynamic `import()` is not a static edge.
const FROM = /^\s*(?:import|export)\s[\w$*{},\s]*?\bfrom\s*["']([^"']+)["']/gm;
const BARE = /^\s*import\s*["']([^"']+)["']/gm;

/** The relative specifiers a module imports statically. */
function relativeImports(source: string): string[] {
  return [...source.matchAll(FROM), ...source.matchAll(BARE)]
    .map((match) => match[1])
    .filter((specifier) => specifier.startsWith("./") || specifier.startsWith("../"));
}

async function tsFiles(dir: URL): Promise<URL[]> {
  const files: URL[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) files.push(...await tsFiles(new URL(`${entry.name}/`, dir)));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(new URL(entry.name, dir));
  }
  return files;
}

/** Module → the modules under `dir` it imports (imports leaving `dir` are left out). */
async function importGraph(dir: URL): Promise<Map<string, string[]>> {
  const files = await tsFiles(dir);
  const inside = new Set(files.map((file) => file.href));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = relativeImports(await Deno.readTextFile(file))
      .map((specifier) => new URL(specifier, file).href)
      .filter((target) => inside.has(target));
    graph.set(file.href, targets);
  }
  return graph;
}

/** A cycle as the path of modules that closes it (first = last), or undefined. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const open = path.indexOf(node);
    if (open >= 0) return [...path.slice(open), node];
    if (done.has(node)) return undefined;
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

Deno.test("stack/ has no import cycle", async () => {
  const graph = await importGraph(STACK_DIR);
  const main = new URL("main.ts", STACK_DIR).href;
  assert.ok(graph.get(main)?.includes(new URL("settings.ts", STACK_DIR).href), "graph is empty");
  const cycle = findCycle(graph);
  const relative = cycle?.map((href) => href.slice(STACK_DIR.href.length));
  assert.equal(cycle, undefined, `import cycle: ${relative?.join(" → ")}`);
});

Deno.test("the import scan sees multi-line, type-only, re-export and bare imports", () => {
  const source = [
    'import assert from "node:assert/strict";',
    "import {",
    "  a,",
    "  type B,",
    '} from "./a.ts";',
    'import type { C } from "../c.ts";',
    'export { d } from "./d.ts";',
    'export * from "./e.ts";',
    'import "./f.ts";',
    'export const path = "./not-an-import.ts";',
    ' * import { g } from "./in-a-comment.ts";',
    'const later = await import("./dynamic.ts");',
  ].join("\n");
  assert.deepEqual(relativeImports(source).sort(), [
    "../c.ts",
    "./a.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
  ]);
});

Deno.test("a cycle is found and reported as a closed path", () => {
  const graph = new Map([
    ["main", ["configs", "table"]],
    ["table", []],
    ["configs", ["settings"]],
    ["settings", ["secure"]],
    ["secure", ["configs"]],
  ]);
  assert.deepEqual(findCycle(graph), ["configs", "settings", "secure", "configs"]);
  graph.set("secure", ["table"]);
  assert.equal(findCycle(graph), undefined);
});
