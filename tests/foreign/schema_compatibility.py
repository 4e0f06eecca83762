#!/usr/bin/env python3
"""Asks the registry about a subject the way Python confluent-kafka's SchemaRegistryClient does:
the subject's compatibility level, whether each candidate schema is compatible with its latest
version, and what registering each one answers.

Prints one JSON line: {"level": ..., "candidates": [{"compatible": bool, "registered": id or
null, "status": HTTP status of a refusal or null}]}.
"""
import argparse
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--subject", required=True)
    parser.add_argument("--schemas", required=True, help="JSON list of Avro schema texts")
    parser.add_argument("--register", action="store_true", help="also try to register each")
    args = parser.parse_args()

    registry = SchemaRegistryClient({"url": args.registry, "timeout": 10})
    level = registry.get_compatibility(args.subject)
    candidates = []
    for text in json.loads(args.schemas):
        schema = Schema(text, "AVRO")
        result = {
            "compatible": registry.test_compatibility(args.subject, schema),
            "registered": None,
            "status": None,
        }
        if args.register:
            try:
                result["registered"] = registry.register_schema(args.subject, schema)
            except SchemaRegistryError as error:
                result["status"] = error.http_status_code
                print(f"refused: {error}", file=sys.stderr)
        candidates.append(result)
    print(json.dumps({"level": level, "candidates": candidates}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
