import assert from "node:assert/strict";
import type { PeerCertificate } from "node:tls";
import { loadConfig } from "./config.ts";
import {
  isPostgresUnavailable,
  postgresOptions,
  postgresSsl,
  quoteIdentifier,
  type TlsOptions,
} from "./postgres.ts";

const CA = "-----BEGIN CERTIFICATE-----\nroot\n";
const readCa = (path: string) => path === "/etc/pg/root.crt" ? CA : "";

Deno.test("PGSSLMODE maps to postgres.js's ssl option as libpq reads sslmode", () => {
  const ssl = (sslmode: string) => postgresSsl({ host: "db.example", sslmode });
  assert.equal(ssl("disable"), false);
  assert.equal(ssl("allow"), false);
  assert.equal(ssl("prefer"), "prefer", "TLS if offered, else plain");
  assert.deepEqual(ssl("require"), { rejectUnauthorized: false });
  const host = "db.example";
  const full = postgresSsl(
    { host, sslmode: "verify-full", sslRootCert: "/etc/pg/root.crt" },
    readCa,
  );
  assert.ok(typeof full === "object" && full);
  assert.equal(full.rejectUnauthorized, true);
  assert.equal(full.ca, CA);
  for (const sslmode of ["verify-ca", "require"]) {
    // libpq: require with a root certificate checks the chain, as verify-ca does.
    const chainOnly = postgresSsl({ host, sslmode, sslRootCert: "/etc/pg/root.crt" }, readCa);
    assert.ok(typeof chainOnly === "object" && chainOnly, sslmode);
    assert.equal(chainOnly.rejectUnauthorized, true, sslmode);
    assert.equal(chainOnly.ca, CA, sslmode);
    const elsewhere = certificateFor("other.example");
    assert.equal(chainOnly.checkServerIdentity?.("", elsewhere), undefined, `${sslmode}: any host`);
  }
});

function certificateFor(name: string): PeerCertificate {
  return { subject: { CN: name }, subjectaltname: `DNS:${name}` } as unknown as PeerCertificate;
}

Deno.test("verify-full checks the certificate against the configured host, name or address", () => {
  for (const host of ["db.example", "10.0.0.7"]) {
    const full = postgresSsl({ host, sslmode: "verify-full" });
    assert.ok(typeof full === "object" && full?.checkServerIdentity);
    // postgres.js passes no server name for an address: the host is checked all the same.
    assert.ok(full.checkServerIdentity("", certificateFor("other.example")) instanceof Error);
  }
  const byName = postgresSsl({ host: "db.example", sslmode: "verify-full" }) as TlsOptions;
  assert.equal(byName.checkServerIdentity?.("", certificateFor("db.example")), undefined);
});

Deno.test("the client options carry the environment's database, user and sslmode", () => {
  const vars: Record<string, string> = {
    PGHOST: "db.example",
    PGPORT: "6543",
    PGUSER: "rider",
    PGSSLMODE: "require",
  };
  const options = postgresOptions(loadConfig((name) => vars[name]).postgres, {
    applicationName: "history",
  });
  assert.equal(options.host, "db.example");
  assert.equal(options.port, 6543);
  assert.equal(options.database, "cta");
  assert.equal(options.username, "rider");
  assert.deepEqual(options.ssl, { rejectUnauthorized: false });
  assert.equal(options.max, 2);
  assert.equal(options.connection?.application_name, "history");
});

Deno.test("an outage or a conflict is retried; a wrong password or a missing table is not", () => {
  const error = (code: string) => Object.assign(new Error(code), { code });
  for (const code of ["ECONNREFUSED", "CONNECTION_CLOSED", "CONNECT_TIMEOUT", "57P01", "40P01"]) {
    assert.equal(isPostgresUnavailable(error(code)), true, code);
  }
  assert.equal(isPostgresUnavailable(new Deno.errors.ConnectionRefused("refused")), true);
  for (const code of ["28P01", "42P01", "23505", "UNDEFINED_VALUE"]) {
    assert.equal(isPostgresUnavailable(error(code)), false, code);
  }
  assert.equal(isPostgresUnavailable(new Error("no code")), false);
});

Deno.test("identifiers are quoted, quotes doubled", () => {
  assert.equal(quoteIdentifier("history_test"), '"history_test"');
  assert.equal(quoteIdentifier('a"b'), '"a""b"');
});
