"""kafka-python (Debian's python3-kafka 2.0.2) against brook's Kafka listener.

Run by tests/kafka/python_clients_test.cc with the listener's address as the only argument.
"""
import sys
import threading
import time
import unittest

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

BOOTSTRAP = None


def consume_all(topic, partitions, count, **settings):
    consumer = KafkaConsumer(bootstrap_servers=BOOTSTRAP, consumer_timeout_ms=10000, **settings)
    consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
    consumer.seek_to_beginning()
    records = []
    for record in consumer:
        records.append(record)
        if len(records) == count:
            break
    consumer.close()
    return records


class KafkaPythonTest(unittest.TestCase):
    def test_admin_creates_and_lists_topics(self):
        admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        admin.create_topics([NewTopic("py-admin", 3, 1, topic_configs={"retention.ms": "60000"})])
        self.assertIn("py-admin", admin.list_topics())
        with self.assertRaises(TopicAlreadyExistsError):
            admin.create_topics([NewTopic("py-admin", 3, 1)])
        admin.delete_topics(["py-admin"])
        self.assertNotIn("py-admin", admin.list_topics())
        admin.close()

    def test_keyed_records_keep_partition_order_and_headers(self):
        admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        admin.create_topics([NewTopic("py-keyed", 3, 1)])
        admin.close()
        producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=5)
        futures = [
            producer.send("py-keyed", key=b"key-%d" % (i % 7), value=b"%d" % i,
                          headers=[("seq", b"%d" % i)])
            for i in range(300)
        ]
        producer.flush()
        offsets = [f.get(timeout=10) for f in futures]
        producer.close()
        records = consume_all("py-keyed", 3, 300)
        self.assertEqual(len(records), 300)
        partition_of, last = {}, {}
        for r in records:
            self.assertEqual(partition_of.setdefault(r.key, r.partition), r.partition)
            value = int(r.value)
            self.assertGreater(value, last.get(r.key, -1))
            last[r.key] = value
            self.assertEqual(r.headers, [("seq", r.value)])
            self.assertGreater(r.timestamp, 0)
        # What the producer was told matches what the consumer reads.
        told = {(m.partition, m.offset) for m in offsets}
        self.assertEqual(told, {(r.partition, r.offset) for r in records})

    def test_gzip_round_trip(self):
        producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, compression_type="gzip")
        for i in range(50):
            producer.send("py-gzip", key=b"k", value=b"gzip-%d" % i)
        producer.flush()
        producer.close()
        records = consume_all("py-gzip", 1, 50)
        self.assertEqual([r.value for r in records], [b"gzip-%d" % i for i in range(50)])

    def test_offsets_for_times_and_end_offsets(self):
        producer = KafkaProducer(bootstrap_servers=BOOTSTRAP)
        for i in range(5):
            producer.send("py-times", value=b"%d" % i, partition=0, timestamp_ms=1000 * (i + 1))
        producer.flush()
        producer.close()
        consumer = KafkaConsumer(bootstrap_servers=BOOTSTRAP)
        tp = TopicPartition("py-times", 0)
        self.assertEqual(consumer.end_offsets([tp])[tp], 5)
        self.assertEqual(consumer.beginning_offsets([tp])[tp], 0)
        found = consumer.offsets_for_times({tp: 2500})[tp]
        self.assertEqual((found.offset, found.timestamp), (2, 3000))
        self.assertIsNone(consumer.offsets_for_times({tp: 99999})[tp])
        consumer.close()


class KafkaPythonGroupTest(unittest.TestCase):
    def test_group_consumes_everything_once_and_commits(self):
        admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        admin.create_topics([NewTopic("py-group", 4, 1)])
        producer = KafkaProducer(bootstrap_servers=BOOTSTRAP)
        for i in range(200):
            producer.send("py-group", key=b"k%d" % i, value=b"%d" % i)
        producer.flush()
        producer.close()
        # One thread per member: kafka-python's poll blocks in a rebalance until every member
        # has rejoined, so one thread cannot drive two members.
        seen, lock, done = set(), threading.Lock(), threading.Event()
        assignments = {}

        def member(index):
            c = KafkaConsumer("py-group", bootstrap_servers=BOOTSTRAP, group_id="py-g",
                              auto_offset_reset="earliest", enable_auto_commit=False,
                              session_timeout_ms=6000, heartbeat_interval_ms=500)
            deadline = time.time() + 60
            while time.time() < deadline:
                for records in c.poll(timeout_ms=100).values():
                    with lock:
                        seen.update((r.partition, r.offset) for r in records)
                try:
                    c.commit()
                except Exception:  # A commit racing a rebalance; a later one covers it.
                    pass
                assignments[index] = len(c.assignment())
                if done.is_set():
                    break
                with lock:
                    if len(seen) == 200 and sorted(assignments.values()) == [2, 2]:
                        done.set()
            c.commit()
            c.close()

        threads = [threading.Thread(target=member, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(seen), 200)
        self.assertEqual(sorted(assignments.values()), [2, 2])
        offsets = admin.list_consumer_group_offsets("py-g")
        self.assertEqual(sum(o.offset for o in offsets.values()), 200)  # Lag 0.
        groups = dict(admin.list_consumer_groups())
        self.assertEqual(groups.get("py-g"), "consumer")
        admin.close()


if __name__ == "__main__":
    BOOTSTRAP = sys.argv.pop(1)
    unittest.main(verbosity=2)
