#!/usr/bin/python3
"""Prints tests/protocol/client_batches.inc: RecordBatch v2 bytes written by real Kafka client
libraries with every codec, which compression_test.cc checks brook decodes to RECORDS below.

Run with Debian's python (it has the client libraries as packages):
  /usr/bin/python3 tests/protocol/make_client_batches.py > tests/protocol/client_batches.inc
Needs python3-kafka, python3-confluent-kafka, python3-snappy, python3-lz4, python3-zstandard.

* kafka-python (python3-kafka): its own DefaultRecordBatchBuilder, with gzip, xerial-framed
  snappy, LZ4 frames (independent blocks, content size) and zstd (with a content size).
* librdkafka (through python3-confluent-kafka): a real Producer sends to a fake broker in this
  script that speaks just enough of Kafka's protocol (ApiVersions, Metadata v4, Produce v7)
  to receive the batch; librdkafka writes raw snappy, LZ4 frames without a content size.
* Variants other clients produce, made by re-compressing the records of an uncompressed
  kafka-python batch: zstd without a content size (Java's ZstdOutputStream), LZ4 frames with
  linked blocks and block and content checksums (also over nine 64 KiB blocks), and gzip as
  two members back to back.
"""
import gzip
import socket
import struct
import threading

import lz4.frame
import zstandard
from confluent_kafka import Producer
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.util import calc_crc32c

BASE_TS = 1700000000000
FILLER = b"brook and kafka agree on every byte " * 10

# (timestamp delta, key, value, headers): keys, values, headers, a null header value and a
# tombstone. Values repeat so that every codec shrinks them (both clients send a batch
# uncompressed when compression does not help).
RECORDS = [
    (0, b"key-0", b"value-0 " + FILLER, [("h1", b"v1")]),
    (5, None, b"value-1 " + FILLER, [("h1", b"v1"), ("h2", None)]),
    (3, b"key-2", None, []),
    (9, b"key-3", b"value-3 " + FILLER, []),
]

# One record of 540 KB: LZ4 blocks of at most 64 KiB, the later ones linked to the earlier.
BIG_RECORDS = [(0, b"big", FILLER * 1500, [])]

CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def kafka_python_batch(codec, records=RECORDS):
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=CODECS[codec], is_transactional=False, producer_id=-1,
        producer_epoch=-1, base_sequence=-1, batch_size=1 << 20)
    for offset, (delta, key, value, headers) in enumerate(records):
        builder.append(offset, BASE_TS + delta, key, value, headers)
    return bytes(builder.build())


def recompress(plain_batch, codec, compress):
    """Replaces the records section of an uncompressed batch with compress(section)."""
    header = bytearray(plain_batch[:61])
    section = compress(plain_batch[61:])
    struct.pack_into(">i", header, 8, 61 - 12 + len(section))   # batchLength
    struct.pack_into(">h", header, 21, CODECS[codec])           # attributes
    batch = header + section
    struct.pack_into(">I", batch, 17, calc_crc32c(batch[21:]))  # crc
    return bytes(batch)


def gzip_two_members(data):
    half = len(data) // 2
    return gzip.compress(data[:half]) + gzip.compress(data[half:])


def lz4_checksummed(data):
    return lz4.frame.compress(data, block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=True,
                              block_checksum=True, content_checksum=True, store_size=True)


def zstd_streamed(data):
    return zstandard.ZstdCompressor(level=3, write_content_size=False).compress(data)


# --- librdkafka through a fake broker -------------------------------------------------------

def _read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def _uvarint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if not n:
            return out + bytes([b])
        out += bytes([b | 0x80])


def _string(s):
    return struct.pack(">h", len(s)) + s.encode()


def _fake_broker(listener, port, captured):
    """Answers one connection until the client closes it; stores the first Produce's records."""
    conn, _ = listener.accept()
    while True:
        try:
            request = _read_exact(conn, struct.unpack(">i", _read_exact(conn, 4))[0])
        except EOFError:
            return
        api_key, version, correlation_id, client_id_length = struct.unpack(">hhih", request[:10])
        pos = 10 + max(client_id_length, 0)
        if api_key == 18:  # ApiVersions v3: Produce, Fetch, Metadata, FindCoordinator (LZ4).
            apis = [(0, 0, 7), (1, 0, 11), (3, 0, 4), (10, 0, 2), (18, 0, 3)]
            body = struct.pack(">h", 0) + _uvarint(len(apis) + 1)
            for api in apis:
                body += struct.pack(">hhh", *api) + _uvarint(0)
            body += struct.pack(">i", 0) + _uvarint(0)
        elif api_key == 3:  # Metadata v4: this broker leads partition 0 of topic "t".
            body = struct.pack(">ii", 0, 1) + struct.pack(">i", 1) + _string("127.0.0.1")
            body += struct.pack(">ih", port, -1) + struct.pack(">hi", -1, 1)
            body += struct.pack(">ih", 1, 0) + _string("t") + b"\x00"
            body += struct.pack(">ihii", 1, 0, 0, 1) + struct.pack(">iiii", 1, 1, 1, 1)
        elif api_key == 0:  # Produce v7, one topic, one partition.
            transactional_id_length = struct.unpack(">h", request[pos:pos + 2])[0]
            pos += 2 + max(transactional_id_length, 0) + 2 + 4 + 4
            name_length = struct.unpack(">h", request[pos:pos + 2])[0]
            pos += 2 + name_length + 4 + 4
            records_length = struct.unpack(">i", request[pos:pos + 4])[0]
            captured.append(request[pos + 4:pos + 4 + records_length])
            body = struct.pack(">i", 1) + _string("t") + struct.pack(">i", 1)
            body += struct.pack(">ihqqq", 0, 0, 0, -1, 0) + struct.pack(">i", 0)
        else:
            raise RuntimeError(f"unexpected request: api {api_key} v{version}")
        response = struct.pack(">i", correlation_id) + body
        conn.sendall(struct.pack(">i", len(response)) + response)


def librdkafka_batch(codec):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    captured = []
    threading.Thread(target=_fake_broker, args=(listener, port, captured), daemon=True).start()
    producer = Producer({"bootstrap.servers": f"127.0.0.1:{port}", "compression.codec": codec,
                         "linger.ms": 50, "enable.idempotence": False, "acks": 1})
    for delta, key, value, headers in RECORDS:
        producer.produce("t", key=key, value=value, partition=0, timestamp=BASE_TS + delta,
                         headers=headers)
    if producer.flush(10) != 0 or len(captured) != 1:
        raise RuntimeError(f"librdkafka did not produce with {codec}")
    return captured[0]


def main():
    plain = kafka_python_batch("none")
    cases = [  # (name, codec, batch)
        ("kafka_python_gzip", "gzip", kafka_python_batch("gzip")),
        ("kafka_python_snappy_xerial", "snappy", kafka_python_batch("snappy")),
        ("kafka_python_lz4", "lz4", kafka_python_batch("lz4")),
        ("kafka_python_zstd", "zstd", kafka_python_batch("zstd")),
        ("librdkafka_gzip", "gzip", librdkafka_batch("gzip")),
        ("librdkafka_snappy_raw", "snappy", librdkafka_batch("snappy")),
        ("librdkafka_lz4", "lz4", librdkafka_batch("lz4")),
        ("librdkafka_zstd", "zstd", librdkafka_batch("zstd")),
        ("gzip_two_members", "gzip", recompress(plain, "gzip", gzip_two_members)),
        ("lz4_linked_checksummed", "lz4", recompress(plain, "lz4", lz4_checksummed)),
        ("zstd_without_content_size", "zstd", recompress(plain, "zstd", zstd_streamed)),
        ("lz4_linked_big", "lz4",
         recompress(kafka_python_batch("none", BIG_RECORDS), "lz4", lz4_checksummed)),
    ]
    print("// Generated by tests/protocol/make_client_batches.py; do not edit.")
    for name, codec, batch in cases:
        if batch[22] & 7 != CODECS[codec]:
            raise RuntimeError(f"{name} came out with codec {batch[22] & 7}, not {codec}")
        print(f"// {name}: {len(batch)} bytes, {codec}")
        print(f"inline constexpr std::string_view k_{name} =")
        hexed = "".join(f"\\x{b:02x}" for b in batch)
        for i in range(0, len(hexed), 96):
            print(f'    "{hexed[i:i + 96]}"')
        print('    ""sv;')


if __name__ == "__main__":
    main()
