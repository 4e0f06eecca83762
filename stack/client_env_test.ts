import assert from "node:assert/strict";
import { clientEnv } from "./client_env.ts";
import { loadStackSettings, plainClientEnv } from "./settings.ts";

Deno.test("a client of a secure stack also gets its security settings, as password files", async () => {
  const stackDir = await Deno.makeTempDir();
  try {
    const s = loadStackSettings("/repo", (name) => ({ HOME: "/h", STACK_DIR: stackDir })[name]);
    assert.deepEqual(clientEnv(s), plainClientEnv(s));
    await Deno.writeTextFile(`${stackDir}/secure`, "created with --secure\n");
    const env = clientEnv(s);
    assert.equal(env.KAFKA_BOOTSTRAP_SERVERS, plainClientEnv(s).KAFKA_BOOTSTRAP_SERVERS);
    assert.equal(env.KAFKA_SECURITY_PROTOCOL, "SASL_SSL");
    assert.equal(env.KAFKA_SASL_MECHANISM, "SCRAM-SHA-512");
    assert.equal(env.KAFKA_SASL_PASSWORD_FILE, `${stackDir}/secrets/cta.password`);
    assert.equal(env.KAFKA_SSL_CA_FILE, `${stackDir}/tls/ca.pem`);
    assert.ok(!Object.keys(env).some((key) => key.endsWith("PASSWORD")));
  } finally {
    await Deno.remove(stackDir, { recursive: true });
  }
});
