/**
 * The Kafka Streams peer (bench/peer/): its jars come from Maven into the cache outside the
 * clone, its one source file is compiled with javac, and it runs as a plain JVM process.
 */
import { dirname } from "node:path";
import { findJava } from "../stack/java.ts";
import { inBackground } from "../lib/stages.ts";

const PEER_DIR = new URL("./peer/", import.meta.url).pathname;
const SOURCE = `${PEER_DIR}src/main/java/org/chicago/cta/bench/StreamsCount.java`;
const MAIN_CLASS = "org.chicago.cta.bench.StreamsCount";

export function peerCacheDir(): string {
  const base = Deno.env.get("XDG_CACHE_HOME") || `${Deno.env.get("HOME") ?? "/tmp"}/.cache`;
  return `${base}/cta-transit-status/peer`;
}

async function mtime(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

async function run(cmd: string, args: string[], what: string): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    throw new Error(`${what} failed:\n${text.trim().split("\n").slice(-15).join("\n")}`);
  }
}

export interface Peer {
  java: string;
  classpath: string;
}

/** Resolves the jars and compiles the peer when the pom or the source changed. */
export async function buildPeer(log: (line: string) => void): Promise<Peer> {
  const cache = peerCacheDir();
  const libs = `${cache}/libs`;
  const classes = `${cache}/classes`;
  const { java } = await findJava(17);
  const pom = `${PEER_DIR}pom.xml`;
  const marker = `${libs}/.complete`;
  if (await mtime(marker) < await mtime(pom)) {
    log("peer: resolving kafka-streams jars with Maven");
    await Deno.remove(libs, { recursive: true }).catch(() => {});
    await run("mvn", [
      "-q",
      "-B",
      "-f",
      pom,
      "dependency:copy-dependencies",
      `-DoutputDirectory=${libs}`,
    ], "mvn dependency:copy-dependencies");
    await Deno.writeTextFile(marker, "");
  }
  const compiled = `${classes}/${MAIN_CLASS.replaceAll(".", "/")}.class`;
  if (await mtime(compiled) < await mtime(SOURCE)) {
    log("peer: compiling StreamsCount.java");
    const javac = java.includes("/") ? `${dirname(java)}/javac` : "javac";
    await Deno.mkdir(classes, { recursive: true });
    await run(javac, ["-d", classes, "-cp", `${libs}/*`, SOURCE], "javac");
  }
  return { java, classpath: `${classes}:${libs}/*` };
}

export interface PeerRun {
  bootstrap: string;
  input: string;
  output: string;
  applicationId: string;
  stateDir: string;
  /** Kafka Streams' commit.interval.ms; its own default (100 ms under exactly-once) if unset. */
  commitIntervalMs?: number;
  /** Run it as a background stage at this niceness (`inBackground`). */
  niceness?: number;
}

/** Starts the peer; the caller stops it with SIGTERM (a clean KafkaStreams.close). */
export function spawnPeer(peer: Peer, options: PeerRun): Deno.ChildProcess {
  const args = [
    ...(Deno.env.get("BENCH_PEER_JAVA_OPTS") ?? "").split(" ").filter(Boolean),
    "-cp",
    peer.classpath,
    MAIN_CLASS,
    options.bootstrap,
    options.input,
    options.output,
    options.applicationId,
    options.stateDir,
    ...(options.commitIntervalMs === undefined ? [] : [String(options.commitIntervalMs)]),
  ];
  const command = options.niceness === undefined
    ? { cmd: peer.java, args, detached: false }
    : inBackground(options.niceness, peer.java, args);
  return new Deno.Command(command.cmd, {
    args: command.args,
    detached: command.detached,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
