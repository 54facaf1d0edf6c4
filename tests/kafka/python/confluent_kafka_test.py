"""confluent-kafka-python (Debian's python3-confluent-kafka, on librdkafka) against brook.

Run by tests/kafka/python_clients_test.cc with the listener's address as the only argument.
"""
import sys
import unittest

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

BOOTSTRAP = None
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def produce(topic, records, **settings):
    """Produces (key, value) pairs; returns the delivery reports' (partition, offset)."""
    delivered, errors = [], []

    def report(err, msg):
        if err is not None:
            errors.append(err)
        else:
            delivered.append((msg.partition(), msg.offset()))

    producer = Producer({"bootstrap.servers": BOOTSTRAP, **settings})
    for key, value in records:
        producer.produce(topic, key=key, value=value, on_delivery=report)
    producer.flush(30)
    if errors:
        raise AssertionError("%d deliveries failed, first: %s" % (len(errors), errors[0]))
    return delivered


def consume(topic, partitions, count):
    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": "unused",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    records = []
    while len(records) < count:
        m = consumer.poll(10)
        if m is None:
            break
        if m.error():
            raise AssertionError(str(m.error()))
        records.append(m)
    consumer.close()
    return records


class ConfluentKafkaTest(unittest.TestCase):
    def test_every_codec_round_trips(self):
        for codec in CODECS:
            with self.subTest(codec=codec):
                topic = "ck-" + codec
                sent = [(b"k%d" % i, (b"%s-%d" % (codec.encode(), i)) * 20) for i in range(200)]
                delivered = produce(topic, sent, **{"compression.codec": codec, "acks": "all"})
                self.assertEqual(len(delivered), 200)
                got = consume(topic, 1, 200)
                self.assertEqual([(m.key(), m.value()) for m in got], sent)

    def test_admin_topics_and_configs(self):
        admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
        futures = admin.create_topics([NewTopic("ck-admin", 2, 1, config={"retention.ms": "1000"})])
        futures["ck-admin"].result(10)
        metadata = admin.list_topics(timeout=10)
        self.assertEqual(len(metadata.topics["ck-admin"].partitions), 2)
        resource = ConfigResource("topic", "ck-admin")
        configs = admin.describe_configs([resource])[resource].result(10)
        self.assertEqual(configs["retention.ms"].value, "1000")
        self.assertEqual(configs["retention.ms"].source, 1)  # DYNAMIC_TOPIC_CONFIG
        self.assertEqual(configs["cleanup.policy"].value, "delete")
        admin.delete_topics(["ck-admin"])["ck-admin"].result(10)

    def test_errors_as_kafka_clients_expect_them(self):
        admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
        admin.create_topics([NewTopic("ck-small", 1, 1, config={"max.message.bytes": "1000"}),
                             NewTopic("ck-compacted", 1, 1,
                                      config={"cleanup.policy": "compact"})])["ck-small"].result(10)
        errors = []
        producer = Producer({"bootstrap.servers": BOOTSTRAP, "linger.ms": 0})
        record_error = lambda err, msg: errors.append(err)
        producer.produce("ck-small", value=b"x" * 5000, on_delivery=record_error)
        producer.produce("ck-compacted", value=b"no key", on_delivery=record_error)
        producer.flush(10)
        # A batch is accepted or refused whole: the keyed record goes in a batch of its own.
        producer.produce("ck-compacted", key=b"k", value=b"keyed", on_delivery=record_error)
        producer.flush(10)
        codes = sorted(e.code() if e else 0 for e in errors)
        self.assertEqual(codes, sorted([KafkaError.MSG_SIZE_TOO_LARGE, KafkaError.INVALID_RECORD, 0]))

    def test_auto_created_topic_has_the_default_partition_count(self):
        producer = Producer({"bootstrap.servers": BOOTSTRAP})
        producer.produce("ck-part", value=b"x", partition=0)
        self.assertEqual(producer.flush(10), 0)
        with self.assertRaises(KafkaException) as raised:
            producer.produce("ck-part", value=b"x", partition=5)
        self.assertEqual(raised.exception.args[0].code(), KafkaError._UNKNOWN_PARTITION)


if __name__ == "__main__":
    BOOTSTRAP = sys.argv.pop(1)
    unittest.main(verbosity=2)
