/**
 * Fetching the stack's components with Maven into a cache outside the clone. Each component
 * is complete only when its marker file exists, so an interrupted fetch is redone.
 */
import { StackError } from "./errors.ts";
import type { StackSettings } from "./settings.ts";

export const DEBEZIUM_POSTGRES =
  "io.debezium:debezium-connector-postgres:3.6.1.Final:tar.gz:plugin";
export const APICURIO_REGISTRY = "io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all";

export interface ComponentPaths {
  kafkaLibs: string;
  connectLibs: string;
  /** Connect's plugin.path; Debezium is unpacked inside it. */
  connectPlugins: string;
  /** The unpacked Apicurio Registry, holding quarkus-run.jar. */
  registryApp: string;
}

export function componentPaths(cacheDir: string): ComponentPaths {
  return {
    kafkaLibs: `${cacheDir}/kafka/libs`,
    connectLibs: `${cacheDir}/connect/libs`,
    connectPlugins: `${cacheDir}/connect/plugins`,
    registryApp: `${cacheDir}/apicurio/3.3.3`,
  };
}

/** `group:artifact:version:type:classifier` → the file name Maven copies it to. */
export function artifactFileName(coordinates: string): string {
  const [, artifact, version, type, classifier] = coordinates.split(":");
  return `${artifact}-${version}${classifier ? `-${classifier}` : ""}.${type}`;
}

const MARKER = ".complete";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new StackError(`${cmd} not found: install it (e.g. apt-get install -y maven)`);
    }
    throw error;
  }
  if (!output.success) {
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    const tail = text.trim().split("\n").slice(-5).join("\n");
    throw new StackError(`${cmd} ${args.join(" ")} failed:\n${tail}`);
  }
}

type Progress = (message: string) => void;

/** Runs `fill(dir)` into a fresh dir unless `dir` holds a marker; the marker is written last. */
async function once(
  dir: string,
  label: string,
  progress: Progress,
  fill: (dir: string) => Promise<void>,
) {
  if (await exists(`${dir}/${MARKER}`)) return;
  const started = performance.now();
  progress(`fetching ${label}…`);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  await fill(dir);
  await Deno.writeTextFile(`${dir}/${MARKER}`, new Date().toISOString() + "\n");
  progress(`fetched ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function copyArtifact(downloads: string, coordinates: string, cwd: string): Promise<string> {
  const file = `${downloads}/${artifactFileName(coordinates)}`;
  if (await exists(`${file}${MARKER}`)) return file;
  await Deno.mkdir(downloads, { recursive: true });
  await run("mvn", [
    "-q",
    "-B",
    "dependency:copy",
    `-Dartifact=${coordinates}`,
    `-DoutputDirectory=${downloads}`,
  ], cwd);
  await Deno.writeTextFile(`${file}${MARKER}`, "");
  return file;
}

/** Makes every component present in the cache, fetching only what is missing. */
export async function fetchComponents(
  settings: StackSettings,
  progress: Progress,
): Promise<ComponentPaths> {
  const paths = componentPaths(settings.cacheDir);
  const downloads = `${settings.cacheDir}/downloads`;
  const mavenDir = `${settings.repoDir}/stack/maven`;
  const copyDependencies = (pom: string) => async (dir: string) =>
    await run("mvn", [
      "-q",
      "-B",
      "-f",
      `${mavenDir}/${pom}/pom.xml`,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${dir}`,
    ]);
  await once(paths.kafkaLibs, "Kafka broker jars", progress, copyDependencies("kafka"));
  await once(paths.connectLibs, "Kafka Connect jars", progress, copyDependencies("connect"));
  await once(paths.connectPlugins, "Debezium PostgreSQL connector", progress, async (dir) => {
    const archive = await copyArtifact(downloads, DEBEZIUM_POSTGRES, `${mavenDir}/connect`);
    await run("tar", ["-xzf", archive, "-C", dir]);
  });
  await once(paths.registryApp, "Apicurio Registry", progress, async (dir) => {
    const archive = await copyArtifact(downloads, APICURIO_REGISTRY, `${mavenDir}/kafka`);
    await run("tar", ["-xzf", archive, "-C", dir]);
  });
  return paths;
}
