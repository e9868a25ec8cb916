#!/usr/bin/python3
"""Produces InferenceEvents to Kafka the way Confluent's Python serializer writes them, for driftwatch's tests.

Debian's python3-confluent-kafka (librdkafka underneath) with its AvroProducer, whose MessageSerializer registers
each value schema under the subject <topic>-value with a CachedSchemaRegistryClient and writes the Schema
Registry wire format (magic byte 0, the schema id big-endian, the Avro body encoded by Apache Avro's Python
library, Debian's python3-avro). Needs: apt-get install -y python3-confluent-kafka python3-avro python3-requests

    /usr/bin/python3 confluent_avro_producer.py --bootstrap-servers HOST:PORT --schema-registry URL --topic T \
        --schema NAME=FILE.avsc [--schema ...] --events FILE.jsonl

Each line of the events file is {"schema": NAME, "value": {...}} (event_time in epoch milliseconds, written as the
timestamp-millis it is) or {"raw": BASE64} for bytes sent as they are. Every record goes to partition 0, in file
order, and is acknowledged before the script exits 0; it prints "produced N" and the registered ids by schema.
"""
import argparse
import base64
import datetime
import json
import sys

from confluent_kafka import Producer
from confluent_kafka import avro
from confluent_kafka.avro import AvroProducer

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--schema-registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--schema", action="append", required=True, help="NAME=PATH of an Avro schema file")
    parser.add_argument("--events", required=True)
    args = parser.parse_args()

    schemas = {}
    for spec in args.schema:
        name, path = spec.split("=", 1)
        schemas[name] = avro.load(path)

    producer = AvroProducer({
        "bootstrap.servers": args.bootstrap_servers,
        "schema.registry.url": args.schema_registry,
        # one partition, file order kept even across retries
        "enable.idempotence": True,
        "linger.ms": 5,
    })
    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append(str(err))

    sent = 0
    with open(args.events, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if "raw" in record:
                # bytes as they are, through the plain producer underneath
                Producer.produce(producer, args.topic, base64.b64decode(record["raw"]), partition=0, on_delivery=delivered)
            else:
                value = record["value"]
                if isinstance(value.get("event_time"), int):
                    value["event_time"] = EPOCH + datetime.timedelta(milliseconds=value["event_time"])
                producer.produce(topic=args.topic, value=value, value_schema=schemas[record["schema"]],
                                 partition=0, on_delivery=delivered)
            sent += 1
            producer.poll(0)
    left = producer.flush(60)
    if failures or left:
        print("failed: %d not acknowledged, errors: %s" % (left, failures[:5]), file=sys.stderr)
        sys.exit(1)
    registry = producer._serializer.registry_client
    ids = {name: registry.register(args.topic + "-value", schema) for name, schema in schemas.items()}
    print("produced %d" % sent)
    print("ids " + json.dumps(ids, sort_keys=True))


if __name__ == "__main__":
    main()
