import assert from "node:assert/strict";
import { registryHeaders } from "./schema_store.ts";

Deno.test("registry calls carry basic auth exactly when it is configured", () => {
  const plain = registryHeaders({ url: "http://r" });
  assert.equal(plain.Authorization, undefined);
  assert.equal(plain["Content-Type"], "application/vnd.schemaregistry.v1+json");
  const authed = registryHeaders({ url: "http://r", basicAuth: "user:pä:ss" });
  const decoded = new TextDecoder().decode(
    Uint8Array.from(atob(authed.Authorization.replace("Basic ", "")), (c) => c.charCodeAt(0)),
  );
  assert.equal(decoded, "user:pä:ss");
});
