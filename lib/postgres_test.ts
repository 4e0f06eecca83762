import assert from "node:assert/strict";
import { loadConfig } from "./config.ts";
import { pgClientConfig, pgSsl } from "./postgres.ts";

const CA = "-----BEGIN CERTIFICATE-----\nroot\n";
const readCa = (path: string) => path === "/etc/pg/root.crt" ? CA : "";

Deno.test("PGSSLMODE maps to pg's ssl option", () => {
  assert.equal(pgSsl({ sslmode: "disable" }), false);
  assert.equal(pgSsl({ sslmode: "prefer" }), false);
  assert.deepEqual(pgSsl({ sslmode: "require" }), { rejectUnauthorized: false });
  const full = pgSsl({ sslmode: "verify-full", sslRootCert: "/etc/pg/root.crt" }, readCa);
  assert.deepEqual(full, { rejectUnauthorized: true, ca: CA });
  const chainOnly = pgSsl({ sslmode: "verify-ca", sslRootCert: "/etc/pg/root.crt" }, readCa);
  assert.ok(chainOnly);
  assert.equal(chainOnly.rejectUnauthorized, true);
  assert.equal(chainOnly.ca, CA);
  assert.equal(chainOnly.checkServerIdentity?.(), undefined, "verify-ca skips the host name");
});

Deno.test("the client config carries the environment's database, user and sslmode", () => {
  const vars: Record<string, string> = {
    PGHOST: "db.example",
    PGPORT: "6543",
    PGSSLMODE: "require",
  };
  const client = pgClientConfig(loadConfig((name) => vars[name]).postgres);
  assert.equal(client.host, "db.example");
  assert.equal(client.port, 6543);
  assert.equal(client.database, "cta");
  assert.deepEqual(client.ssl, { rejectUnauthorized: false });
});
