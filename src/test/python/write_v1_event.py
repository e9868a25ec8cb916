#!/usr/bin/python3
"""Writes an InferenceEvent in the version-1 schema (schemas/history/InferenceEvent-v1.avsc), Avro
single-object encoded, as an older Python producer would: src/test/resources/events/inference-event-v1.bin.
Independent of the Java code: Debian's python3-avro for the body, the CRC-64-AVRO fingerprint of the
schema's parsing canonical form computed here as the Avro specification defines it.

Usage: /usr/bin/python3 src/test/python/write_v1_event.py
"""
import datetime
import io
import os
import re
import struct

import avro.io
import avro.schema

ROOT = os.path.dirname(os.path.abspath(__file__)) + "/../../.."
EMPTY = 0xC15D213AA4D7A795


def crc64_avro(data: bytes) -> int:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp)
    fp = EMPTY
    for b in data:
        fp = (fp >> 8) ^ table[(fp ^ b) & 0xFF]
    return fp & 0xFFFFFFFFFFFFFFFF


def parsing_canonical_form(schema) -> str:
    # python3-avro 1.11 leaves a logical type's primitive as {"type":"long"}; the specification's [PRIMITIVES]
    # rule (and Java's SchemaNormalization) writes it as "long", and only that form gives the shared fingerprint
    return re.sub(r'\{"type":"(null|boolean|int|long|float|double|bytes|string)"\}', r'"\1"', schema.canonical_form)


def main():
    schema = avro.schema.parse(open(ROOT + "/schemas/history/InferenceEvent-v1.avsc").read())
    event = {
        "event_id": "python-v1-0001",
        "model_name": "fraud",
        "model_version": "v1",
        "event_time": datetime.datetime(2026, 1, 5, 0, 1, 30, tzinfo=datetime.timezone.utc),
        "features": {"f%d" % i: 0.25 * i - 1.0 for i in range(10)},
        "prediction": 0.42,
    }
    body = io.BytesIO()
    avro.io.DatumWriter(schema).write(event, avro.io.BinaryEncoder(body))
    header = b"\xc3\x01" + struct.pack("<Q", crc64_avro(parsing_canonical_form(schema).encode("utf-8")))
    out = ROOT + "/src/test/resources/events/inference-event-v1.bin"
    with open(out, "wb") as f:
        f.write(header + body.getvalue())
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
