/**
 * PostgreSQL from the system's server binaries, in a cluster of the stack's own, with logical
 * decoding for Debezium; creates the role, the database, the loaded `stations` table and the
 * ridership history tables (sql/history.sql).
 * As root, every server command runs as the `postgres` user, which PostgreSQL requires.
 */
import { stackConfig } from "../client_env.ts";
import { postgresOptions, shellQuote } from "../configs.ts";
import { readPid } from "../process.ts";
import type { Service, StackContext } from "../service.ts";
import { StackError } from "../errors.ts";
import type { StackSettings } from "../settings.ts";

const SERVER_USER = "postgres";
const isRoot = () => Deno.uid() === 0;

/** The newest `/usr/lib/postgresql/<version>/bin` holding the server binaries. */
export async function postgresBinDir(base = "/usr/lib/postgresql"): Promise<string> {
  const versions: number[] = [];
  try {
    for await (const entry of Deno.readDir(base)) {
      const version = Number(entry.name);
      if (!Number.isFinite(version)) continue;
      try {
        await Deno.stat(`${base}/${entry.name}/bin/postgres`);
        versions.push(version);
      } catch {
        // client-only installation of this version
      }
    }
  } catch {
    // no PostgreSQL at all
  }
  if (versions.length === 0) {
    throw new StackError(
      "PostgreSQL server binaries not found under /usr/lib/postgresql: apt-get install -y postgresql",
    );
  }
  return `${base}/${Math.max(...versions)}/bin`;
}

function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot() ? ["runuser", ["-u", SERVER_USER, "--", cmd, ...args]] : [cmd, args];
}

async function exec(
  cmd: string,
  args: string[],
  stdin?: string,
): Promise<{ ok: boolean; out: string }> {
  const [command, fullArgs] = asServerUser(cmd, args);
  const child = new Deno.Command(command, {
    args: fullArgs,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    ok: output.success,
    out: (decoder.decode(output.stdout) + decoder.decode(output.stderr)).trim(),
  };
}

async function mustExec(what: string, cmd: string, args: string[], stdin?: string) {
  const { ok, out } = await exec(cmd, args, stdin);
  if (!ok) throw new StackError(`postgres: ${what} failed: ${out.split("\n").at(-1)}`);
  return out;
}

function serverUserIds(): { uid: number; gid: number; home: string } {
  const line = Deno.readTextFileSync("/etc/passwd").split("\n")
    .find((l) => l.startsWith(`${SERVER_USER}:`));
  if (!line) throw new StackError(`no "${SERVER_USER}" user: apt-get install -y postgresql`);
  const fields = line.split(":");
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
}

/** The cluster's directory: `.stack/postgres`, or a link to one the server user can reach. */
function clusterRootSync(s: StackSettings): string {
  const link = `${s.stackDir}/postgres`;
  try {
    return Deno.readLinkSync(link);
  } catch {
    return link;
  }
}

async function hashOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 6), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

async function prepareClusterRoot(ctx: StackContext): Promise<string> {
  const { settings } = ctx;
  const existing = clusterRootSync(settings);
  const link = `${settings.stackDir}/postgres`;
  if (existing !== link) return existing;
  await Deno.mkdir(link, { recursive: true });
  if (!isRoot()) return link;
  const { uid, gid, home } = serverUserIds();
  await Deno.chown(link, uid, gid);
  if ((await exec("test", ["-w", link])).ok) return link;
  // The clone sits where the server user cannot go (e.g. under /root): keep the cluster in
  // that user's home instead, linked from .stack/postgres.
  await Deno.remove(link, { recursive: true });
  const base = `${home}/cta-transit-status`;
  const root = `${base}/${await hashOf(settings.stackDir)}`;
  await Deno.mkdir(root, { recursive: true });
  await Deno.chown(base, uid, gid);
  await Deno.chown(root, uid, gid);
  await Deno.symlink(root, link);
  ctx.progress(
    `postgres: ${settings.stackDir} is not reachable by user postgres; cluster in ${root}`,
  );
  return root;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const identifier = (text: string) => `"${text.replaceAll('"', '""')}"`;

async function createSchemaAndData(ctx: StackContext, root: string, bin: string): Promise<void> {
  const { settings } = ctx;
  const pg = stackConfig(settings).postgres;
  const psql = (user: string, db: string) => [
    "-X",
    "-q",
    "-v",
    "ON_ERROR_STOP=1",
    "-h",
    `${root}/run`,
    "-p",
    String(settings.ports.postgres),
    "-U",
    user,
    "-d",
    db,
    "-tA",
  ];
  const admin = psql(SERVER_USER, "postgres");
  await mustExec("creating role", `${bin}/psql`, [
    ...admin,
    "-c",
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(pg.user)}) THEN
         CREATE ROLE ${identifier(pg.user)} LOGIN REPLICATION PASSWORD ${literal(pg.password)};
       END IF;
     END $$;`,
  ]);
  const hasDb = await mustExec("looking up database", `${bin}/psql`, [
    ...admin,
    "-c",
    `SELECT 1 FROM pg_database WHERE datname = ${literal(pg.database)}`,
  ]);
  if (hasDb !== "1") {
    await mustExec("creating database", `${bin}/psql`, [
      ...admin,
      "-c",
      `CREATE DATABASE ${identifier(pg.database)} OWNER ${identifier(pg.user)}`,
    ]);
  }
  const owner = psql(pg.user, pg.database);
  const ddl = await Deno.readTextFile(`${settings.repoDir}/sql/stations.sql`);
  await mustExec("creating table stations", `${bin}/psql`, [...owner, "-f", "-"], ddl);
  const historyDdl = await Deno.readTextFile(`${settings.repoDir}/sql/history.sql`);
  await mustExec("creating the history tables", `${bin}/psql`, [...owner, "-f", "-"], historyDdl);
  const rows = await mustExec("counting stations", `${bin}/psql`, [
    ...owner,
    "-c",
    "SELECT count(*) FROM stations",
  ]);
  if (rows === "0") {
    const csv = await Deno.readTextFile(`${settings.repoDir}/data/stations.csv`);
    await mustExec("loading data/stations.csv", `${bin}/psql`, [
      ...owner,
      "-c",
      "COPY stations FROM STDIN WITH (FORMAT csv, HEADER true)",
    ], csv);
    ctx.progress("postgres: loaded data/stations.csv into stations");
  }
}

export const postgres: Service = {
  name: "postgres",
  ports: ["postgres"],
  url: (s) => `postgresql://${s.host}:${s.ports.postgres}/cta`,
  logFile: (s) => `${clusterRootSync(s)}/postgres.log`,
  readyTimeoutMs: 60_000,
  // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients such as Connect.
  stopSignal: "SIGINT",
  prepare: async () => {
    await postgresBinDir();
    if (isRoot()) serverUserIds();
  },
  start: async (ctx) => {
    const bin = await postgresBinDir();
    const root = await prepareClusterRoot(ctx);
    const data = `${root}/data`;
    try {
      await Deno.stat(`${data}/PG_VERSION`);
    } catch {
      ctx.progress("postgres: initdb (first start)");
      await mustExec("initdb", `${bin}/initdb`, [
        "-D",
        data,
        "-U",
        SERVER_USER,
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--no-locale",
      ]);
    }
    await mustExec("creating the socket directory", "mkdir", ["-p", `${root}/run`]);
    const options = postgresOptions(ctx.settings, `${root}/run`).map(shellQuote).join(" ");
    await mustExec("pg_ctl start", `${bin}/pg_ctl`, [
      "-D",
      data,
      "-l",
      `${root}/postgres.log`,
      "-o",
      options,
      "-w",
      "-t",
      "60",
      "start",
    ]);
    const pid = await readPid(`${data}/postmaster.pid`);
    if (!pid) throw new StackError(`postgres: started but ${data}/postmaster.pid is unreadable`);
    return pid;
  },
  pid: (s) => readPid(`${clusterRootSync(s)}/data/postmaster.pid`),
  healthy: async (s) => {
    const bin = await postgresBinDir().catch(() => undefined);
    if (!bin) return false;
    const out = await new Deno.Command(`${bin}/pg_isready`, {
      args: ["-q", "-h", s.host, "-p", String(s.ports.postgres)],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  },
  afterStart: async (ctx) => {
    await createSchemaAndData(ctx, clusterRootSync(ctx.settings), await postgresBinDir());
  },
};
