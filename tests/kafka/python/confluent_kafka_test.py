"""confluent-kafka-python (Debian's python3-confluent-kafka, on librdkafka) against brook.

Run by tests/kafka/python_clients_test.cc with the listener's address as the only argument.
"""
import sys
import unittest

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic

BOOTSTRAP = None
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
STRATEGIES = ["range", "roundrobin", "cooperative-sticky"]
REBALANCE_COMMIT_ERRORS = [KafkaError.ILLEGAL_GENERATION, KafkaError.REBALANCE_IN_PROGRESS,
                           KafkaError.UNKNOWN_MEMBER_ID]


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

    def test_create_partitions(self):
        admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
        admin.create_topics([NewTopic("ck-grow", 1, 1)])["ck-grow"].result(10)
        admin.create_partitions([NewPartitions("ck-grow", 3)])["ck-grow"].result(10)
        topic = admin.list_topics(topic="ck-grow", timeout=10).topics["ck-grow"]
        self.assertEqual(sorted(topic.partitions), [0, 1, 2])
        # validate_only changes nothing; a count not above the current one is refused.
        admin.create_partitions([NewPartitions("ck-grow", 5)],
                                validate_only=True)["ck-grow"].result(10)
        topic = admin.list_topics(topic="ck-grow", timeout=10).topics["ck-grow"]
        self.assertEqual(len(topic.partitions), 3)
        with self.assertRaises(KafkaException) as refused:
            admin.create_partitions([NewPartitions("ck-grow", 2)])["ck-grow"].result(10)
        self.assertEqual(refused.exception.args[0].code(), KafkaError.INVALID_PARTITIONS)
        # A new producer writes to the new partitions, a consumer reads what it wrote.
        delivered = []
        producer = Producer({"bootstrap.servers": BOOTSTRAP})
        for p in range(3):
            producer.produce("ck-grow", value=b"p%d" % p, partition=p,
                             on_delivery=lambda err, msg: delivered.append((err, msg.partition())))
        producer.flush(10)
        self.assertEqual(sorted(delivered, key=lambda d: d[1]), [(None, 0), (None, 1), (None, 2)])
        got = consume("ck-grow", 3, 3)
        self.assertEqual(sorted((m.partition(), m.value()) for m in got),
                         [(0, b"p0"), (1, b"p1"), (2, b"p2")])

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

    def test_group_splits_rebalances_and_resumes_from_commits(self):
        admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
        settings = {"bootstrap.servers": BOOTSTRAP, "group.id": "ck-g",
                    "auto.offset.reset": "earliest", "enable.auto.commit": False,
                    "session.timeout.ms": 6000, "heartbeat.interval.ms": 500}
        for strategy in STRATEGIES:
            with self.subTest(strategy=strategy):
                topic = "ck-group-" + strategy
                admin.create_topics([NewTopic(topic, 4, 1)])[topic].result(10)
                produce(topic, [(b"k%d" % i, b"%d" % i) for i in range(400)])
                group = dict(settings, **{"group.id": "ck-g-" + strategy,
                                          "partition.assignment.strategy": strategy})
                first = Consumer(group)
                first.subscribe([topic])
                seen = {}
                def poll(consumer, n):
                    for _ in range(n):
                        m = consumer.poll(0.1)
                        if m is None or m.error():
                            continue
                        seen[(m.partition(), m.offset())] = m.value()
                        try:
                            consumer.commit(m, asynchronous=False)
                        except KafkaException as e:
                            # As against Kafka: a commit racing a rebalance is refused, and a
                            # later one (or the next owner's) covers the record.
                            self.assertIn(e.args[0].code(), REBALANCE_COMMIT_ERRORS)
                poll(first, 30)
                second = Consumer(group)
                second.subscribe([topic])
                for _ in range(100):
                    poll(first, 1)
                    poll(second, 1)
                    if len(first.assignment()) == 2 and len(second.assignment()) == 2:
                        break
                # The group split the four partitions two and two.
                self.assertEqual(len(first.assignment()), 2)
                self.assertEqual(len(second.assignment()), 2)
                while len(seen) < 400:
                    before = len(seen)
                    poll(first, 5)
                    poll(second, 5)
                    if len(seen) == before and len(seen) < 400:
                        poll(first, 20)
                        poll(second, 20)
                        if len(seen) == before:
                            break
                self.assertEqual(len(seen), 400)
                second.close()  # Leaves: the first member takes every partition back.
                for _ in range(100):
                    poll(first, 1)
                    if len(first.assignment()) == 4:
                        break
                self.assertEqual(len(first.assignment()), 4)
                poll(first, 20)  # Records the leaver read but had not committed come again.
                committed = first.committed([TopicPartition(topic, p) for p in range(4)], 10)
                self.assertEqual(sum(tp.offset for tp in committed), 400)  # Lag 0.
                first.close()
                # A new member resumes from the commits: nothing is read again.
                produce(topic, [(b"late", b"late")])
                again = Consumer(group)
                again.subscribe([topic])
                late = []
                for _ in range(100):
                    m = again.poll(0.1)
                    if m is not None and not m.error():
                        late.append(m.value())
                    if late:
                        break
                self.assertEqual(late, [b"late"])
                again.close()

    def test_idempotent_producer(self):
        delivered = produce("ck-idem", [(b"k%d" % (i % 10), b"%d" % i) for i in range(2000)],
                            **{"enable.idempotence": True, "acks": "all"})
        self.assertEqual(sorted(delivered), [(0, i) for i in range(2000)])

    def test_auto_created_topic_has_the_default_partition_count(self):
        producer = Producer({"bootstrap.servers": BOOTSTRAP})
        producer.produce("ck-part", value=b"x", partition=0)
        self.assertEqual(producer.flush(10), 0)
        with self.assertRaises(KafkaException) as raised:
            producer.produce("ck-part", value=b"x", partition=5)
        self.assertEqual(raised.exception.args[0].code(), KafkaError._UNKNOWN_PARTITION)

    def test_events_with_expected_revisions_from_a_producer(self):
        admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
        admin.create_topics([NewTopic("ck-ledger", 3, 1, config={"event.store": "true"})])[
            "ck-ledger"].result(10)
        reports = []
        producer = Producer({"bootstrap.servers": BOOTSTRAP, "enable.idempotence": True,
                             "partitioner": "murmur2_random"})

        def append(kind, expected, value=b"{}"):
            producer.produce("ck-ledger", key=b"acct-1", value=value,
                             headers=[("es.type", kind), ("es.expected-revision", expected)],
                             on_delivery=lambda err, msg: reports.append((err, msg)))
            producer.flush(10)
            return reports[-1]

        err, opened = append("Opened", "no-stream")
        self.assertIsNone(err)
        err, _ = append("Opened", "no-stream")  # The stream exists now: refused.
        self.assertIsNotNone(err)
        self.assertEqual(err.code(), KafkaError.INVALID_RECORD)
        err, deposited = append("Deposited", "0", b'{"amount": 5}')
        self.assertIsNone(err, err)
        self.assertEqual(deposited.partition(), opened.partition())
        self.assertEqual(deposited.offset(), opened.offset() + 1)
        # Consumers see the events' revisions in the records' headers.
        records = consume("ck-ledger", 3, 2)
        self.assertEqual([dict(r.headers())["es.revision"] for r in records], [b"0", b"1"])
        self.assertEqual([dict(r.headers())["es.type"] for r in records],
                         [b"Opened", b"Deposited"])


if __name__ == "__main__":
    BOOTSTRAP = sys.argv.pop(1)
    unittest.main(verbosity=2)
