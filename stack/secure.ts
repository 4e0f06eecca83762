/**
 * The secured stack (`deno task stack up --secure`): Kafka listens on SASL_SSL with SCRAM-SHA-512
 * and its controller on TLS with client certificates, so that no Kafka port speaks plain text.
 * Certificates (openssl) and random passwords live under `.stack/tls` and `.stack/secrets`
 * (mode 0700). A stack is secure when it was created with `--secure`; `down --wipe` forgets it.
 */
import { StackError } from "./errors.ts";
import { parseProperties, properties } from "./properties.ts";
import type { StackSettings } from "./settings.ts";

/** The SCRAM users created when the storage is formatted. */
export const SCRAM_USERS = ["admin", "connect", "cta"] as const;
export type ScramUser = typeof SCRAM_USERS[number];
/** The user of the project's own clients (pipeline, REST proxy, dashboard). */
export const CLIENT_USER: ScramUser = "cta";
/** The registry's basic-auth user. */
export const REGISTRY_USER = "cta";
export const SCRAM_MECHANISM = "SCRAM-SHA-512";

export const secretsDir = (s: StackSettings) => `${s.stackDir}/secrets`;
export const tlsDir = (s: StackSettings) => `${s.stackDir}/tls`;
const marker = (s: StackSettings) => `${s.stackDir}/secure`;
export const passwordFile = (s: StackSettings, user: string) => `${secretsDir(s)}/${user}.password`;
export const registryUserInfoFile = (s: StackSettings) => `${secretsDir(s)}/registry.userinfo`;
export const caFile = (s: StackSettings) => `${tlsDir(s)}/ca.pem`;
/** The broker's private key (PKCS#8) followed by its certificate: Kafka's PEM key store. */
export const brokerKeyStore = (s: StackSettings) => `${tlsDir(s)}/broker.pem`;

export function isSecure(s: StackSettings): boolean {
  try {
    Deno.statSync(marker(s));
    return true;
  } catch {
    return false;
  }
}

function readSecret(file: string): string {
  return Deno.readTextFileSync(file).trim();
}

/** A password of 32 URL-safe characters: nothing to quote in JAAS or properties files. */
export function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "A").replaceAll("/", "B");
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function privateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.chmod(dir, 0o700);
}

async function writePrivate(file: string, text: string): Promise<void> {
  await Deno.writeTextFile(file, text, { mode: 0o600 });
  await Deno.chmod(file, 0o600);
}

/**
 * Makes the stack in `settings.stackDir` a secure one: marker, passwords, certificates. Refuses
 * a stack whose Kafka storage was formatted without SCRAM users.
 */
export async function enableSecureMode(
  s: StackSettings,
  progress: (message: string) => void,
): Promise<void> {
  if (!isSecure(s) && await exists(`${s.stackDir}/kafka`)) {
    throw new StackError(
      `${s.stackDir} holds a stack created without --secure; ` +
        "`deno task stack down --wipe` first, then `deno task stack up --secure`",
    );
  }
  await Deno.mkdir(s.stackDir, { recursive: true });
  // Generated configs carry passwords: only the owner may read them.
  await privateDir(`${s.stackDir}/conf`);
  await privateDir(secretsDir(s));
  for (const user of SCRAM_USERS) {
    if (!await exists(passwordFile(s, user))) {
      await writePrivate(passwordFile(s, user), `${randomPassword()}\n`);
    }
  }
  if (!await exists(registryUserInfoFile(s))) {
    await writePrivate(registryUserInfoFile(s), `${REGISTRY_USER}:${randomPassword()}\n`);
  }
  if (!await exists(brokerKeyStore(s))) await generateCertificates(s, progress);
  await Deno.writeTextFile(marker(s), "created with --secure\n");
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("openssl", { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
  } catch (error) {
    throw new StackError(
      `openssl is needed to generate the certificates of --secure (${error}); install it`,
    );
  }
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
    throw new StackError(`openssl ${args[0]} failed: ${text}`);
  }
}

/** A CA, and a certificate for 127.0.0.1 and localhost that it signed, for servers and clients. */
async function generateCertificates(
  s: StackSettings,
  progress: (message: string) => void,
): Promise<void> {
  progress("secure: generating a CA and the broker certificate with openssl");
  const dir = tlsDir(s);
  await privateDir(dir);
  await openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "825",
    "-subj",
    "/CN=CTA Transit Status local stack CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await openssl(dir, [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "broker.key",
    "-out",
    "broker.csr",
    "-subj",
    "/CN=127.0.0.1",
  ]);
  await Deno.writeTextFile(
    `${dir}/broker.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n" +
      "keyUsage=critical,digitalSignature,keyEncipherment\n" +
      "extendedKeyUsage=serverAuth,clientAuth\n",
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    "broker.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "broker.crt",
    "-days",
    "825",
    "-extfile",
    "broker.ext",
  ]);
  const key = await Deno.readTextFile(`${dir}/broker.key`);
  const cert = await Deno.readTextFile(`${dir}/broker.crt`);
  await writePrivate(brokerKeyStore(s), key + cert);
  await Deno.chmod(`${dir}/ca.pem`, 0o644);
}

function jaas(user: string, password: string): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required ` +
    `username="${user}" password="${password}";`;
}

/**
 * A broker's server.properties made secure (pure): the PLAINTEXT listener becomes SASL_SSL with
 * SCRAM-SHA-512, inter-broker traffic goes over it, and the controller listener needs TLS with a
 * client certificate signed by the stack's CA.
 */
export function secureServerProperties(
  plain: string,
  paths: { keyStore: string; ca: string },
  adminPassword: string,
): string {
  const entries = parseProperties(plain);
  const toSasl = (value: string | undefined) =>
    (value ?? "").replaceAll("PLAINTEXT://", "SASL_SSL://");
  entries.set("listeners", toSasl(entries.get("listeners")));
  entries.set("advertised.listeners", toSasl(entries.get("advertised.listeners")));
  const overrides: Record<string, string> = {
    "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:SSL",
    "inter.broker.listener.name": "SASL_SSL",
    "sasl.enabled.mechanisms": SCRAM_MECHANISM,
    "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
    "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": jaas("admin", adminPassword),
    "listener.name.controller.ssl.client.auth": "required",
    "ssl.keystore.type": "PEM",
    "ssl.keystore.location": paths.keyStore,
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": paths.ca,
    "ssl.enabled.protocols": "TLSv1.3,TLSv1.2",
  };
  for (const [key, value] of Object.entries(overrides)) entries.set(key, value);
  return properties(Object.fromEntries(entries));
}

/** The Kafka client settings of a Java client (Connect), also under its given prefixes. */
export function javaClientProperties(
  user: string,
  password: string,
  ca: string,
  prefixes: string[] = [""],
): Record<string, string> {
  const client: Record<string, string> = {
    "security.protocol": "SASL_SSL",
    "sasl.mechanism": SCRAM_MECHANISM,
    "sasl.jaas.config": jaas(user, password),
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": ca,
  };
  return Object.fromEntries(
    prefixes.flatMap((prefix) =>
      Object.entries(client).map(([key, value]) => [`${prefix}${key}`, value])
    ),
  );
}

/** server.properties for the running mode: unchanged unless the stack is secure. */
export function kafkaPropertiesFor(s: StackSettings, plain: string): string {
  if (!isSecure(s)) return plain;
  return secureServerProperties(
    plain,
    { keyStore: brokerKeyStore(s), ca: caFile(s) },
    readSecret(passwordFile(s, "admin")),
  );
}

/** Extra `StorageTool format` arguments: the SCRAM users, when the stack is secure. */
export function scramFormatArgs(s: StackSettings): string[] {
  if (!isSecure(s)) return [];
  return SCRAM_USERS.flatMap((user) => [
    "--add-scram",
    `${SCRAM_MECHANISM}=[name=${user},password=${readSecret(passwordFile(s, user))}]`,
  ]);
}

/** Lines to append to the Connect worker's properties: the worker and its tasks' clients. */
export function connectSecurityProperties(s: StackSettings): string {
  if (!isSecure(s)) return "";
  return properties(
    javaClientProperties("connect", readSecret(passwordFile(s, "connect")), caFile(s), [
      "",
      "producer.",
      "consumer.",
      "admin.",
    ]),
  );
}

/**
 * JVM arguments that protect the registry's HTTP API with basic auth (Quarkus's embedded users),
 * read from a private file so that the password is not on the command line.
 */
export async function registrySecurityArgs(s: StackSettings): Promise<string[]> {
  // Opt-in for now: with it, the Avro producers' schema registration is refused (401).
  if (!isSecure(s) || Deno.env.get("STACK_REGISTRY_AUTH") !== "1") return [];
  const [user, password] = readSecret(registryUserInfoFile(s)).split(":");
  const file = `${s.stackDir}/conf/registry-auth.properties`;
  await writePrivate(
    file,
    properties({
      "quarkus.security.users.embedded.enabled": "true",
      "quarkus.security.users.embedded.plain-text": "true",
      [`quarkus.security.users.embedded.users.${user}`]: password,
      [`quarkus.security.users.embedded.roles.${user}`]: "sr-admin",
      "quarkus.http.auth.permission.registry.paths": "/*",
      "quarkus.http.auth.permission.registry.policy": "authenticated",
    }),
  );
  return [`-Dsmallrye.config.locations=${file}`];
}

/** What a client of the secure stack needs, with files in place of passwords (lib/config.ts). */
export function secureClientEnv(s: StackSettings): Record<string, string> {
  if (!isSecure(s)) return {};
  return {
    KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    KAFKA_SASL_MECHANISM: SCRAM_MECHANISM,
    KAFKA_SASL_USERNAME: CLIENT_USER,
    KAFKA_SASL_PASSWORD_FILE: passwordFile(s, CLIENT_USER),
    KAFKA_SSL_CA_FILE: caFile(s),
    SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO_FILE: registryUserInfoFile(s),
  };
}

/** Arguments for Kafka's admin tools that talk to the controller listener (TLS, client cert). */
export async function controllerToolArgs(s: StackSettings): Promise<string[]> {
  if (!isSecure(s)) return [];
  const file = `${s.stackDir}/conf/controller-client.properties`;
  await writePrivate(
    file,
    properties({
      "security.protocol": "SSL",
      "ssl.keystore.type": "PEM",
      "ssl.keystore.location": brokerKeyStore(s),
      "ssl.truststore.type": "PEM",
      "ssl.truststore.location": caFile(s),
    }),
  );
  return ["--command-config", file];
}

/** What `up --secure` prints: how to point a client at the stack, without any password. */
export function secureBanner(s: StackSettings): string {
  const env = Object.entries(secureClientEnv(s)).map(([key, value]) => `  export ${key}=${value}`);
  return [
    `secure: Kafka on SASL_SSL with ${SCRAM_MECHANISM} (users ${SCRAM_USERS.join(", ")}), ` +
    "controller on TLS with client certificates; no plaintext Kafka port.",
    "secure: a client needs (passwords stay in the files; all of it is in " +
    `${s.stackDir}/env):`,
    ...env,
  ].join("\n");
}

/** Deno flags that let a `-P=client` process read the secrets when they live outside the repo. */
export function secureReadArgs(s: StackSettings): string[] {
  // The flag replaces the permission set's read list, so it repeats the repository.
  return isSecure(s) ? [`--allow-read=${s.repoDir},${secretsDir(s)},${tlsDir(s)}`] : [];
}
