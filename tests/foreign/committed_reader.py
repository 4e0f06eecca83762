#!/usr/bin/env python3
"""Reads a topic from its beginning to its end as a read_committed consumer of Python
confluent-kafka (librdkafka) does, and prints one JSON line: the values it delivered, in order.
"""
import argparse
import json
import sys
import uuid

from confluent_kafka import Consumer, TopicPartition


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partition", type=int, default=0)
    args = parser.parse_args()
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": f"committed-reader-{uuid.uuid4()}",
        "isolation.level": "read_committed",
        "enable.auto.commit": False,
    })
    partition = TopicPartition(args.topic, args.partition, 0)
    _, end = consumer.get_watermark_offsets(partition, timeout=10)
    consumer.assign([partition])
    values = []
    position = 0
    while position < end:
        message = consumer.poll(1.0)
        if message is None:
            position = consumer.position([partition])[0].offset
            continue
        if message.error():
            print(message.error(), file=sys.stderr)
            return 1
        values.append(message.value().decode())
        position = message.offset() + 1
    consumer.close()
    print(json.dumps({"values": values}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
