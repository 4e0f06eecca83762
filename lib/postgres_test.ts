import assert from "node:assert/strict";
import { loadConfig } from "./config.ts";
import {
  isPostgresUnavailable,
  postgresOptions,
  postgresSsl,
  quoteIdentifier,
} from "./postgres.ts";

const CA = "-----BEGIN CERTIFICATE-----\nroot\n";
const readCa = (path: string) => path === "/etc/pg/root.crt" ? CA : "";

Deno.test("PGSSLMODE maps to postgres.js's ssl option as libpq reads sslmode", () => {
  assert.equal(postgresSsl({ sslmode: "disable" }), false);
  assert.equal(postgresSsl({ sslmode: "allow" }), false);
  assert.equal(postgresSsl({ sslmode: "prefer" }), "prefer", "TLS if offered, else plain");
  assert.deepEqual(postgresSsl({ sslmode: "require" }), { rejectUnauthorized: false });
  const full = postgresSsl({ sslmode: "verify-full", sslRootCert: "/etc/pg/root.crt" }, readCa);
  assert.deepEqual(full, { rejectUnauthorized: true, ca: CA });
  for (const sslmode of ["verify-ca", "require"]) {
    // libpq: require with a root certificate checks the chain, as verify-ca does.
    const chainOnly = postgresSsl({ sslmode, sslRootCert: "/etc/pg/root.crt" }, readCa);
    assert.ok(typeof chainOnly === "object" && chainOnly, sslmode);
    assert.equal(chainOnly.rejectUnauthorized, true, sslmode);
    assert.equal(chainOnly.ca, CA, sslmode);
    assert.equal(chainOnly.checkServerIdentity?.(), undefined, `${sslmode} skips the host name`);
  }
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
