/**
 * The deployment files against the code: every long-running stage and the dashboard run in
 * compose.yaml and in deploy/kubernetes/ with their /readyz, every topic has a KafkaTopic, each
 * stage's KafkaUser allows what the stage does, and compose.yaml's images are the local stack's
 * versions. No broker, Docker or cluster needed; deploy/check.sh runs the tools' own checks.
 */
import assert from "node:assert/strict";
import { parse, parseAllDocuments } from "yaml";
import { cpuWeight, STAGES, type StageSpec } from "../lib/stages.ts";
import { CONTRACTS, minInsyncReplicas, TOPICS } from "../lib/contracts/topics.ts";
import { loadConfig } from "../lib/config.ts";
import { deadLetterSpec, EAGER_COMPACTION, type TopicSpec } from "../lib/admin.ts";
import { hopConsumerGroup, transactionalId } from "../lib/exactly_once/engine.ts";
import { countsHop, entriesHop } from "../pipeline/summary/topology.ts";
import { summaryTopics } from "../pipeline/summary/main.ts";
import { INPUT_ROLES } from "../dashboard/consumers.ts";
import { APICURIO_REGISTRY, DEBEZIUM_POSTGRES } from "../stack/fetch.ts";

// deno-lint-ignore no-explicit-any
type Yaml = any;

const root = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, root));
const compose: Yaml = parse(read("compose.yaml"), { merge: true });
const services: Record<string, Yaml> = compose.services;
const kubernetes: Yaml[] = [...Deno.readDirSync(new URL("deploy/kubernetes/", root))]
  .filter((entry) => entry.name.endsWith(".yaml"))
  .flatMap((entry) => parseAllDocuments(read(`deploy/kubernetes/${entry.name}`)))
  .map((document) => document.toJS())
  .filter(Boolean);
const ofKind = (kind: string) => kubernetes.filter((resource) => resource.kind === kind);
const denoTasks = Object.keys(JSON.parse(read("deno.json")).tasks);
const defaults = loadConfig(() => undefined);

/** The stages that serve /readyz: those with a health server, and the dashboard. */
const served = (Object.values(STAGES) as StageSpec[])
  .filter((stage) => stage.health || stage === STAGES.dashboard);
const runs = (command: unknown, task: string) =>
  Array.isArray(command) && command[0] === "task" && command[1] === task;

/** `name=url,…` as in OPS_TARGETS. */
function opsTargets(value: string): Map<string, URL> {
  return new Map(
    value.split(",").map((item) => {
      const [name, url] = item.trim().split("=");
      return [name, new URL(url)];
    }),
  );
}

Deno.test("compose runs every stage that serves /readyz, and waits on it", () => {
  for (const stage of served) {
    const found = Object.entries(services).filter(([, s]) => runs(s.command, stage.task));
    assert.equal(found.length, 1, `one compose service runs "deno task ${stage.task}"`);
    const [name, service] = found[0];
    const test = service.healthcheck?.test?.join(" ") ?? "";
    assert.match(test, /\/readyz/, `${name}'s healthcheck asks /readyz`);
    assert.ok(service.build, `${name} is built from the Dockerfile`);
  }
});

Deno.test("compose gives background stages the CPU weight deno task start gives them", () => {
  // Docker's default weight is 1024, as nice 0's.
  for (const [name, service] of Object.entries(services)) {
    const stage = (Object.values(STAGES) as StageSpec[])
      .find((s) => runs(service.command, s.task));
    const expected = stage?.niceness === undefined ? undefined : cpuWeight(stage.niceness);
    assert.equal(service.cpu_shares, expected, `${name}'s cpu_shares`);
  }
});

Deno.test("compose: every service has a healthcheck but one-shot and endpoint-less stages", () => {
  for (const [name, service] of Object.entries(services)) {
    const disabled = service.healthcheck?.disable === true;
    assert.ok(service.healthcheck, `${name} has a healthcheck section`);
    if (!disabled) continue;
    const stage = (Object.values(STAGES) as StageSpec[])
      .find((s) => runs(service.command, s.task));
    assert.ok(stage && !stage.health && stage !== STAGES.dashboard, `${name} serves no health`);
  }
});

Deno.test("compose: depends_on names services by condition, and each condition can be met", () => {
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {}) as Yaml) {
      const target = services[dependency];
      assert.ok(target, `${name} depends on ${dependency}, which exists`);
      if (condition === "service_healthy") {
        assert.ok(target.healthcheck && !target.healthcheck.disable, `${dependency} has a check`);
      } else {
        assert.equal(condition, "service_completed_successfully", `${name} → ${dependency}`);
        assert.equal(target.restart, "no", `${dependency} is a one-shot`);
      }
    }
  }
  assert.ok(Object.values(services).some((s) => runs(s.command, STAGES.connector.task)));
});

Deno.test("compose and kubernetes run deno.json tasks, and compose mounts files that exist", () => {
  const containers = kubernetes.flatMap((resource) =>
    resource.spec?.template?.spec?.containers?.map((c: Yaml) => [resource.metadata.name, c.args]) ??
      []
  );
  const commands = Object.entries(services).map(([name, s]) => [name, s.command]);
  for (const [name, command] of [...commands, ...containers]) {
    if (Array.isArray(command) && command[0] === "task") {
      assert.ok(denoTasks.includes(command[1]), `${name}: task ${command[1]}`);
    }
  }
  for (const service of Object.values(services)) {
    for (const volume of service.volumes ?? []) {
      const source = String(volume).split(":")[0];
      if (source.startsWith("./")) Deno.statSync(new URL(source, root));
    }
  }
});

Deno.test("compose: the connector is given the database host that Connect sees", () => {
  const [connector] = Object.values(services).filter((s) => runs(s.command, "connector"));
  const host = connector.environment.CONNECT_DATABASE_HOSTNAME;
  assert.ok(services[host], `CONNECT_DATABASE_HOSTNAME=${host} is a compose service`);
  assert.ok(services[host].image.startsWith("postgres:"));
});

Deno.test("compose: the dashboard's OPS_TARGETS are the stages' health servers", () => {
  const [dashboard] = Object.values(services).filter((s) => runs(s.command, "serve"));
  const targets = opsTargets(dashboard.environment.OPS_TARGETS);
  const healthStages = (Object.values(STAGES) as StageSpec[]).filter((stage) => stage.health);
  for (const stage of healthStages) {
    const [name, service] = Object.entries(services).find(([, s]) => runs(s.command, stage.task))!;
    const target = [...targets.values()].find((url) => url.hostname === name);
    assert.ok(target, `OPS_TARGETS has ${name}`);
    assert.equal(target.port, String(service.environment.HEALTH_PORT));
  }
});

Deno.test("compose: the images are the local stack's versions", () => {
  const tag = (image: string) => image.slice(image.lastIndexOf(":") + 1);
  const imageOf = (prefix: string) =>
    Object.values(services).map((s) => s.image as string).find((i) => i?.startsWith(prefix))!;
  const pom = read("stack/maven/kafka/pom.xml");
  const kafka = pom.match(/<artifactId>kafka_2\.13<\/artifactId>\s*<version>([^<]+)</)![1];
  assert.equal(tag(imageOf("apache/kafka:")), kafka);
  assert.equal(tag(imageOf("apicurio/apicurio-registry:")), APICURIO_REGISTRY.split(":")[2]);
  assert.equal(tag(imageOf("quay.io/debezium/connect:")), DEBEZIUM_POSTGRES.split(":")[2]);
  const registry = Object.values(services).find((s) => s.image?.startsWith("apicurio/"));
  assert.equal(registry.environment.APICURIO_STORAGE_KIND, "sql", "schemas survive restarts");
  assert.match(read("Dockerfile"), /^FROM denoland\/deno:\d+\.\d+\.\d+$/m, "a pinned Deno image");
});

/** The Deployment whose container runs `deno task <task>`, and that container. */
function deploymentOf(task: string): { deployment: Yaml; container: Yaml } {
  const found = ofKind("Deployment").flatMap((deployment) =>
    deployment.spec.template.spec.containers
      .filter((c: Yaml) => runs(c.args, task))
      .map((container: Yaml) => ({ deployment, container }))
  );
  assert.equal(found.length, 1, `one Deployment runs "deno task ${task}"`);
  return found[0];
}

function containerPort(container: Yaml, port: string | number): number {
  if (typeof port === "number") return port;
  return container.ports.find((p: Yaml) => p.name === port).containerPort;
}

Deno.test("kubernetes: every stage that serves /readyz is a Deployment probed and scraped", () => {
  const user = Number(read("Dockerfile").match(/^USER (\d+)$/m)![1]);
  for (const stage of served) {
    const { deployment, container } = deploymentOf(stage.task);
    const name = deployment.metadata.name;
    assert.equal(container.readinessProbe.httpGet.path, "/readyz", name);
    assert.equal(container.livenessProbe.httpGet.path, "/healthz", name);
    const annotations = deployment.spec.template.metadata.annotations;
    assert.equal(annotations["prometheus.io/scrape"], "true", name);
    assert.equal(annotations["prometheus.io/path"], "/metrics", name);
    assert.equal(
      Number(annotations["prometheus.io/port"]),
      containerPort(container, container.readinessProbe.httpGet.port),
      `${name} is scraped on its health port`,
    );
    const pod = deployment.spec.template.spec.securityContext;
    assert.equal(pod.runAsNonRoot, true);
    assert.equal(pod.runAsUser, user, "the Dockerfile's user");
  }
});

Deno.test("kubernetes: each stage logs in as its own KafkaUser, whose Secret holds the password", () => {
  const users = new Set(ofKind("KafkaUser").map((u) => u.metadata.name));
  for (const deployment of ofKind("Deployment")) {
    for (const container of deployment.spec.template.spec.containers) {
      const env = new Map(container.env.map((e: Yaml) => [e.name, e]));
      const username = (env.get("KAFKA_SASL_USERNAME") as Yaml)?.value;
      assert.ok(users.has(username), `${deployment.metadata.name}: KafkaUser ${username}`);
      const password = (env.get("KAFKA_SASL_PASSWORD") as Yaml).valueFrom.secretKeyRef;
      assert.deepEqual(password, { name: username, key: "password" });
    }
  }
});

Deno.test("kubernetes: the dashboard's OPS_TARGETS are Services of the stages' health ports", () => {
  const [config] = ofKind("ConfigMap");
  const healthStages = (Object.values(STAGES) as StageSpec[]).filter((stage) => stage.health);
  const targets = [...opsTargets(config.data.OPS_TARGETS).values()];
  for (const stage of healthStages) {
    const { deployment, container } = deploymentOf(stage.task);
    const labels = deployment.spec.template.metadata.labels;
    const service = ofKind("Service").find((s) =>
      Object.entries(s.spec.selector).every(([k, v]) => labels[k] === v)
    );
    assert.ok(service, `a Service selects ${deployment.metadata.name}`);
    const target = targets.find((url) => url.hostname === service.metadata.name);
    assert.ok(target, `OPS_TARGETS has ${service.metadata.name}`);
    const port = service.spec.ports.find((p: Yaml) => p.port === Number(target.port));
    assert.ok(port, `${service.metadata.name} serves port ${target.port}`);
    assert.equal(containerPort(container, port.targetPort), Number(config.data.HEALTH_PORT));
  }
});

function kafkaTopic(name: string): Yaml {
  const found = ofKind("KafkaTopic").filter((t) => (t.spec.topicName ?? t.metadata.name) === name);
  assert.equal(found.length, 1, `one KafkaTopic for ${name}`);
  return found[0];
}

/** The KafkaTopic has the spec's settings (partitions only where the spec fixes them). */
function assertTopicLike(spec: TopicSpec) {
  const topic = kafkaTopic(spec.topic);
  const config = topic.spec.config;
  assert.equal(config["cleanup.policy"], spec.compacted ? "compact" : "delete", spec.topic);
  assert.equal(config["min.insync.replicas"], minInsyncReplicas(topic.spec.replicas), spec.topic);
  if (spec.partitions) assert.equal(topic.spec.partitions, spec.partitions, spec.topic);
  for (const [key, value] of Object.entries(spec.configs ?? {})) {
    assert.equal(String(config[key]), value, `${spec.topic} ${key}`);
  }
}

Deno.test("kubernetes: every contract topic, internal topic and DLQ has its KafkaTopic", () => {
  for (const contract of Object.values(CONTRACTS)) {
    assertTopicLike({ topic: contract.name, compacted: contract.compacted });
  }
  const summary = summaryTopics(defaults, "turnstile-summary");
  assertTopicLike({ topic: summary.summary, compacted: true, configs: EAGER_COMPACTION });
  assertTopicLike({ topic: summary.partialCounts, configs: { "retention.ms": "-1" } });
  assertTopicLike({
    topic: summary.entriesCheckpoints,
    compacted: true,
    configs: EAGER_COMPACTION,
  });
  assertTopicLike({ topic: summary.countsCheckpoints, compacted: true, configs: EAGER_COMPACTION });
  assertTopicLike(deadLetterSpec(defaults, "stations"));
  assertTopicLike(deadLetterSpec(defaults, "turnstiles"));
  assertTopicLike(deadLetterSpec(defaults, "arrivals"));
  for (const topic of [TOPICS.predictions, TOPICS.alerts]) {
    assertTopicLike({ topic, compacted: true, configs: EAGER_COMPACTION });
  }
  const clusters = new Set(
    ofKind("KafkaTopic").map((t) => t.metadata.labels["strimzi.io/cluster"]),
  );
  assert.equal(clusters.size, 1, "every KafkaTopic belongs to one cluster");
});

/** Whether KafkaUser `user`'s ACLs allow `operation` on the resource. */
function allows(user: string, type: string, name: string, operation: string): boolean {
  const [kafkaUser] = ofKind("KafkaUser").filter((u) => u.metadata.name === user);
  assert.ok(kafkaUser, `KafkaUser ${user}`);
  return kafkaUser.spec.authorization.acls.some((acl: Yaml) =>
    (acl.type ?? "allow") === "allow" && acl.resource.type === type &&
    (acl.resource.patternType === "prefix"
      ? name.startsWith(acl.resource.name)
      : acl.resource.name === name) &&
    (acl.operations.includes(operation) || acl.operations.includes("All"))
  );
}

Deno.test("kubernetes: the summary's KafkaUser allows its reads, writes and transactional ids", () => {
  const group = "turnstile-summary";
  const topics = summaryTopics(defaults, group);
  const user = "cta-summary";
  for (const topic of [topics.turnstiles, topics.partialCounts]) {
    assert.ok(allows(user, "topic", topic, "Read"), `Read ${topic}`);
  }
  for (const topic of [topics.partialCounts, topics.summary, topics.deadLetters]) {
    assert.ok(allows(user, "topic", topic, "Write"), `Write ${topic}`);
  }
  for (const topic of [topics.entriesCheckpoints, topics.countsCheckpoints]) {
    assert.ok(allows(user, "topic", topic, "Read") && allows(user, "topic", topic, "Write"));
    assert.ok(allows(user, "topic", topic, "Alter"), `grows ${topic}`);
  }
  assert.ok(allows(user, "topic", topics.partialCounts, "Delete"), "purges the partial counts");
  const hops = [entriesHop(topics, () => Promise.resolve([]), 3), countsHop(topics)];
  for (const [i, hop] of hops.entries()) {
    const hopGroup = hopConsumerGroup(group, i, hop.name);
    assert.ok(allows(user, "group", hopGroup, "Read"), `group ${hopGroup}`);
  }
  for (const input of [topics.turnstiles, topics.partialCounts]) {
    for (const partition of [0, 7, 120]) {
      const id = transactionalId(group, input, partition);
      assert.ok(allows(user, "transactionalId", id, "Write"), id);
    }
  }
  assert.ok(
    !allows(user, "transactionalId", transactionalId("other", topics.turnstiles, 0), "Write"),
  );
  assert.ok(!allows(user, "topic", TOPICS.arrivals, "Read"), "and nothing else");
});

Deno.test("kubernetes: the dashboard's KafkaUser reads every topic it follows, and writes none", () => {
  for (const role of INPUT_ROLES) {
    assert.ok(allows("cta-dashboard", "topic", TOPICS[role], "Read"), TOPICS[role]);
  }
  for (const topic of Object.values(TOPICS)) {
    assert.ok(!allows("cta-dashboard", "topic", topic, "Write"), topic);
  }
  assert.ok(allows("cta-dashboard", "group", "cta-dashboard-1a2b3c4d-weather", "Read"));
});

Deno.test("kubernetes: the REST proxy writes only the weather topic, as its allow list says", () => {
  const [config] = ofKind("ConfigMap");
  assert.equal(config.data.REST_PROXY_TOPIC_ALLOW_LIST, TOPICS.weather);
  for (const topic of Object.values(TOPICS)) {
    assert.equal(allows("cta-rest-proxy", "topic", topic, "Write"), topic === TOPICS.weather);
  }
});

Deno.test("kubernetes: predictions and history may read their inputs and write their outputs", () => {
  const predictions = "cta-predictions";
  for (const topic of [TOPICS.arrivals, TOPICS.stationsTransformed]) {
    assert.ok(allows(predictions, "topic", topic, "Read"), topic);
  }
  for (const topic of [TOPICS.predictions, TOPICS.alerts, `${TOPICS.arrivals}.dlq`]) {
    assert.ok(allows(predictions, "topic", topic, "Write"), topic);
  }
  assert.ok(allows(predictions, "transactionalId", "predictions", "Write"));
  assert.ok(allows(predictions, "group", "predictions", "Describe"), "reads its committed offsets");
  const history = "cta-history";
  for (const topic of [TOPICS.arrivals, TOPICS.turnstiles]) {
    assert.ok(allows(history, "topic", topic, "Read"), topic);
    assert.ok(allows(history, "topic", `${topic}.dlq`, "Write"), `${topic}.dlq`);
    assert.ok(!allows(history, "topic", topic, "Write"), `${topic} is only read`);
  }
  assert.ok(allows(history, "group", "ridership-history", "Read"));
});
