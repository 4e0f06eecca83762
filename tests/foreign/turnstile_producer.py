#!/usr/bin/env python3
"""Writes turnstile events as the seed's producers did: Python confluent-kafka, so librdkafka's
default partitioner (consistent_random: CRC32 of the key, random for a null key), and Avro in the
Confluent wire format through confluent-kafka's own serializer and registry client.

Prints one JSON line: how many events were acknowledged, and per partition.
"""
import argparse
import json
import pathlib
import sys
import time

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient, topic_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "schemas"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--counts", required=True, help='JSON {"station_id": events}')
    parser.add_argument("--keys", choices=["station", "null", "timestamp"], default="station")
    parser.add_argument("--seconds", type=float, default=0, help="spread the events over this")
    args = parser.parse_args()

    registry = SchemaRegistryClient({"url": args.registry, "timeout": 10})
    # The seed's subject naming (<topic>-key, <topic>-value). Without it, newer clients first ask
    # the registry for subject associations, an API that Apicurio's ccompat layer does not answer.
    naming = {"subject.name.strategy": topic_subject_name_strategy}
    value_serializer = AvroSerializer(
        registry, (SCHEMAS / "turnstile_value.avsc").read_text(), conf=naming
    )
    key_serializer = AvroSerializer(
        registry, (SCHEMAS / "turnstile_key.avsc").read_text(), conf=naming
    )
    producer = Producer({
        "bootstrap.servers": args.bootstrap,
        "enable.idempotence": True,
        "linger.ms": 20,
    })
    acked = {"count": 0, "partitions": {}, "errors": 0}

    def delivered(error, message):
        if error is not None:
            acked["errors"] += 1
            print(f"delivery failed: {error}", file=sys.stderr)
            return
        acked["count"] += 1
        partition = str(message.partition())
        acked["partitions"][partition] = acked["partitions"].get(partition, 0) + 1

    remaining = {int(station): n for station, n in json.loads(args.counts).items()}
    total = sum(remaining.values())
    pause = args.seconds / max(1, total // 1000)
    value_context = SerializationContext(args.topic, MessageField.VALUE)
    key_context = SerializationContext(args.topic, MessageField.KEY)
    sent = 0
    # Serialized once per station: the serializer's bytes do not change, and it is slow.
    values = {}
    station_keys = {}
    while remaining:
        for station in list(remaining):
            if station not in values:
                values[station] = value_serializer(
                    {"station_id": station, "station_name": f"Station {station}", "line": "red"},
                    value_context,
                )
                station_keys[station] = key_serializer({"station_id": station}, key_context)
            value = values[station]
            if args.keys == "station":
                key = station_keys[station]
            elif args.keys == "timestamp":
                key = str(time.time_ns()).encode()
            else:
                key = None
            while True:
                try:
                    producer.produce(args.topic, value=value, key=key, on_delivery=delivered)
                    break
                except BufferError:
                    producer.poll(0.05)
            remaining[station] -= 1
            if remaining[station] == 0:
                del remaining[station]
            sent += 1
            if sent % 1000 == 0:
                producer.poll(0)
                if pause:
                    time.sleep(pause)
    producer.flush(60)
    print(json.dumps(acked))
    return 0 if acked["count"] == total and acked["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
