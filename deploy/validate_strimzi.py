"""Validates the Strimzi resources of deploy/kubernetes/ against the CRDs of a Strimzi release.

    python3 deploy/validate_strimzi.py CRD_DIR MANIFEST...

CRD_DIR holds Strimzi's CustomResourceDefinitions (install/cluster-operator/*-Crd-*.yaml of a
release). Each resource is checked against the openAPIV3Schema of its kind and version, with
unknown fields rejected as `kubectl apply --validate=strict` rejects them. Exits 1 on any error.
Needs PyYAML and jsonschema (both come with kubernetes-validate).
"""

import copy
import pathlib
import sys

import jsonschema
import yaml


def strict(schema):
    """The schema with unknown properties rejected wherever the CRD does not allow them."""
    schema = copy.deepcopy(schema)

    def visit(node):
        if not isinstance(node, dict):
            return
        if (
            node.get("type") == "object"
            and "properties" in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
            and "additionalProperties" not in node
        ):
            node["additionalProperties"] = False
        for value in node.values():
            if isinstance(value, dict):
                visit(value)
            elif isinstance(value, list):
                for item in value:
                    visit(item)

    visit(schema)
    return schema


def load_crds(crd_dir):
    schemas = {}
    for path in sorted(pathlib.Path(crd_dir).glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            group = doc["spec"]["group"]
            kind = doc["spec"]["names"]["kind"]
            for version in doc["spec"]["versions"]:
                if version.get("served"):
                    api_version = f"{group}/{version['name']}"
                    schemas[(api_version, kind)] = strict(version["schema"]["openAPIV3Schema"])
    return schemas


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    schemas = load_crds(argv[1])
    if not schemas:
        print(f"no CustomResourceDefinition in {argv[1]}", file=sys.stderr)
        return 2
    failures = 0
    for manifest in argv[2:]:
        for doc in yaml.safe_load_all(pathlib.Path(manifest).read_text()):
            if not doc:
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            name = f"{manifest}: {key[1]}/{doc.get('metadata', {}).get('name')}"
            schema = schemas.get(key)
            if schema is None:
                print(f"ERROR {name}: no served CRD for {key[0]} {key[1]}")
                failures += 1
                continue
            errors = sorted(
                jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path)
            )
            for error in errors:
                path = ".".join(str(p) for p in error.path) or "(root)"
                print(f"ERROR {name}: {path}: {error.message}")
            failures += len(errors)
            if not errors:
                print(f"INFO {name} passed against {key[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
