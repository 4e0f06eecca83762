#!/usr/bin/env python3
"""Reads a Prometheus text exposition from stdin with the official Python client's parser and
prints one JSON line: every sample as [name, labels, value].
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    samples = []
    for family in text_string_to_metric_families(sys.stdin.read()):
        for sample in family.samples:
            samples.append([sample.name, sample.labels, sample.value])
    print(json.dumps({"samples": samples}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
