/**
 * PostgreSQL connection settings for `npm:pg`, in one place: libpq's `sslmode` mapped to pg's
 * `ssl` option. Every connection of the project is made with `pgClientConfig`.
 */
import type { ClientConfig } from "pg";
import type { PostgresConfig } from "./config.ts";

export type PgSsl = false | {
  rejectUnauthorized: boolean;
  ca?: string;
  checkServerIdentity?: () => undefined;
};

/**
 * pg has no fallback from TLS to plain text, so `allow` and `prefer` connect without TLS (as libpq
 * does against a server without TLS); `require` encrypts without checking the certificate;
 * `verify-ca` checks the chain but not the host name; `verify-full` checks both.
 */
export function pgSsl(
  config: Pick<PostgresConfig, "sslmode" | "sslRootCert">,
  readFile: (path: string) => string = (path) => Deno.readTextFileSync(path),
): PgSsl {
  const ca = config.sslRootCert ? { ca: readFile(config.sslRootCert) } : {};
  switch (config.sslmode) {
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
      return { rejectUnauthorized: true, ...ca, checkServerIdentity: () => undefined };
    case "verify-full":
      return { rejectUnauthorized: true, ...ca };
    default:
      return false;
  }
}

export function pgClientConfig(config: PostgresConfig): ClientConfig {
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    ssl: pgSsl(config),
  };
}
