/**
 * PostgreSQL connections, in one place: every connection of the project is a postgres.js client
 * made by `postgresClient`, with libpq's `sslmode` mapped to postgres.js's `ssl` option.
 */
import postgres from "postgres";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import type { PostgresConfig } from "./config.ts";
import { logger } from "./log.ts";

/** A postgres.js client: a tagged template that runs queries on a pool of connections. */
export type Sql = postgres.Sql;

/** The TLS options handed to `tls.connect` after PostgreSQL's SSLRequest. */
export interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  checkServerIdentity?: (servername: string, certificate: PeerCertificate) => Error | undefined;
}

/** postgres.js's `ssl` option: no TLS, TLS if the server offers it ("prefer"), or TLS. */
export type PostgresSsl = false | "prefer" | TlsOptions;

/**
 * libpq's sslmode: `disable` and `allow` connect without TLS (`allow` would only fall back to TLS
 * for a server that insists); `prefer` uses TLS when the server offers it, without checking the
 * certificate, and plain text otherwise; `require` encrypts without checking the certificate,
 * unless a root certificate is given, when it checks the chain as `verify-ca` does;
 * `verify-ca` checks the chain but not the host name; `verify-full` checks both.
 */
export function postgresSsl(
  config: Pick<PostgresConfig, "host" | "sslmode" | "sslRootCert">,
  readFile: (path: string) => string = (path) => Deno.readTextFileSync(path),
): PostgresSsl {
  const ca = () => config.sslRootCert ? { ca: readFile(config.sslRootCert) } : {};
  const chainOnly = (): TlsOptions => ({
    rejectUnauthorized: true,
    ...ca(),
    checkServerIdentity: () => undefined,
  });
  switch (config.sslmode) {
    case "prefer":
      return "prefer";
    case "require":
      return config.sslRootCert ? chainOnly() : { rejectUnauthorized: false };
    case "verify-ca":
      return chainOnly();
    case "verify-full":
      // postgres.js sends no server name for an IP address, and then nothing is checked: check
      // the certificate against the configured host, name or address, ourselves.
      return {
        rejectUnauthorized: true,
        ...ca(),
        checkServerIdentity: (_servername, certificate) =>
          checkServerIdentity(config.host, certificate),
      };
    default:
      return false;
  }
}

export interface ClientOptions {
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Connections in the pool (default 2). */
  max?: number;
}

/**
 * The postgres.js options for a config. Every option postgres.js would otherwise read from the
 * environment (PGSSL, PGMAX, ...) is set here, so that only lib/config.ts reads it.
 */
export function postgresOptions(
  config: PostgresConfig,
  options: ClientOptions = {},
): postgres.Options<Record<string, postgres.PostgresType>> {
  const log = logger("postgres");
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    username: config.user,
    password: config.password,
    ssl: postgresSsl(config),
    max: options.max ?? 2,
    idle_timeout: 30,
    connect_timeout: 10,
    max_lifetime: 60 * 30,
    prepare: true,
    connection: { application_name: options.applicationName ?? "cta-transit-status" },
    // "relation already exists, skipping" and the like.
    onnotice: (notice) => log.debug(notice.message ?? String(notice)),
  };
}

/** A client for the config's database; connections open on the first query. End it with `end()`. */
export function postgresClient(config: PostgresConfig, options: ClientOptions = {}): Sql {
  return postgres(postgresOptions(config, options));
}

// SQLSTATE classes of a server that is going away, busy or in a conflict worth retrying:
// connection exceptions, transaction rollbacks (serialization failures, deadlocks),
// insufficient resources, operator intervention (shutdown, restart) and system errors.
const RETRIED_CLASSES = ["08", "40", "53", "57", "58"];
// Node's socket errors and postgres.js's own connection errors.
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
]);

/**
 * Whether an error means the database is down, restarting or busy, so that the work is retried;
 * anything else (a wrong password, a missing table, a constraint) is a failure to report.
 */
export function isPostgresUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") {
    return error instanceof Deno.errors.ConnectionRefused ||
      error instanceof Deno.errors.ConnectionReset;
  }
  if (CONNECTION_CODES.has(code)) return true;
  return /^[0-9A-Z]{5}$/.test(code) && RETRIED_CLASSES.includes(code.slice(0, 2));
}

/** A double-quoted identifier, for the names that cannot be parameters (schemas in DDL). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
