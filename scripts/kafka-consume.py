#!/usr/bin/env python3
"""Read a Kafka topic from the beginning with kafka-python, a pure-Python client.

Usage: kafka-consume.py BOOTSTRAP_SERVERS TOPIC COUNT [--timeout SECONDS]

Independent of librdkafka (which SIEMExport produces with): reads every partition of TOPIC
from its first offset, without a consumer group, until at least COUNT messages have arrived
and every partition has been read up to the end offset it had when reading began (so extra
messages, such as duplicates, show too), or until the timeout. Prints one JSON line per
message, {"partition": P, "offset": O, "key": BASE64, "value": BASE64}, partitions in turn,
each in offset order. Exits 0 when COUNT or more arrived, else 1 with the reason on stderr.

api_version is pinned to (0, 10, 1): librdkafka 2.0.2's mock cluster (what the tests run
against) answers kafka-python's ApiVersions v4 request with an UNSUPPORTED_VERSION body that
kafka-python 3.0.12 cannot decode, and serves Metadata only up to v2, so with api_version
(0, 11) or later (Metadata v4+) the mock drops the connection. (0, 10, 1) means ApiVersions v0,
Metadata v2, ListOffsets v1 and Fetch v3, which the mock serves, and kafka-python still decodes
the v2 record batches librdkafka writes. Installed by scripts/install-dependencies.sh.
"""

import argparse
import base64
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap_servers")
    parser.add_argument("topic")
    parser.add_argument("count", type=int)
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap_servers.split(","),
        group_id=None,
        enable_auto_commit=False,
        api_version=(0, 10, 1),
        request_timeout_ms=max(int(args.timeout * 1000), 1000),
    )
    partitions = None
    while partitions is None and time.monotonic() < deadline:
        partitions = consumer.partitions_for_topic(args.topic)
        if partitions is None:
            time.sleep(0.05)
    if partitions is None:
        print(f"topic {args.topic} not found at {args.bootstrap_servers}", file=sys.stderr)
        return 1
    assigned = [TopicPartition(args.topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    consumer.seek_to_beginning(*assigned)
    end_offsets = consumer.end_offsets(assigned)

    records = {tp.partition: [] for tp in assigned}
    received = 0

    def read_to_end():
        return all(consumer.position(tp) >= end_offsets[tp] for tp in assigned)

    while time.monotonic() < deadline and (received < args.count or not read_to_end()):
        batches = consumer.poll(timeout_ms=200)
        for tp, messages in batches.items():
            for message in messages:
                records[tp.partition].append(message)
                received += 1
    consumer.close()

    for partition in sorted(records):
        for message in records[partition]:
            line = {
                "partition": message.partition,
                "offset": message.offset,
                "key": base64.b64encode(message.key or b"").decode("ascii"),
                "value": base64.b64encode(message.value or b"").decode("ascii"),
            }
            print(json.dumps(line))
    if received < args.count:
        print(f"received {received} of {args.count} messages within {args.timeout} s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
