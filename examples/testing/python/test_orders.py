"""An order service's tests with kafka-python against brook (run: pytest, with $BROOK_BINARY
or brook on PATH)."""
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

TOPIC = "orders"


def publish(bootstrap, *events, **producer_config):
    """The code under test: publishes order events, acknowledged by the broker."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **producer_config)
    offsets = [producer.send(TOPIC, key=b"order-1", value=e.encode()).get(timeout=10).offset
               for e in events]
    producer.close()
    return offsets


def read_all(bootstrap):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=1000)
    consumer.assign([TopicPartition(TOPIC, 0)])
    values = [m.value.decode() for m in consumer]
    consumer.close()
    return values


def log_start(bootstrap):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    partition = TopicPartition(TOPIC, 0)
    start = consumer.beginning_offsets([partition])[partition]
    consumer.close()
    return start


def test_published_orders_are_consumed(brook):
    publish(brook.kafka, "created", "paid", "shipped")
    assert read_all(brook.kafka) == ["created", "paid", "shipped"]


def test_each_test_starts_from_nothing(brook):
    # The `brook` fixture reset the broker: the previous test's orders are gone.
    admin = KafkaAdminClient(bootstrap_servers=brook.kafka)
    assert TOPIC not in admin.list_topics()
    admin.close()


def test_publish_survives_a_leader_move(brook):
    # A fault: the next two Produce requests are answered NOT_LEADER_OR_FOLLOWER, as while a
    # partition's leader moves. The producer retries, and the order is written once.
    publish(brook.kafka, "created")
    brook.add_fault("--api", "Produce", "--topic", TOPIC,
                    "--error", "NOT_LEADER_OR_FOLLOWER", "--count", "2")
    publish(brook.kafka, "paid", retries=5, retry_backoff_ms=20)
    assert read_all(brook.kafka) == ["created", "paid"]
    [fault] = brook.faults()
    assert fault["fired"] == 2


def test_orders_expire_after_retention(brook_manual_clock):
    # The clock: with retention.ms of 7 days, the order is gone once 8 days have passed on
    # the broker's clock; the test takes milliseconds.
    broker = brook_manual_clock
    admin = KafkaAdminClient(bootstrap_servers=broker.kafka)
    admin.create_topics([NewTopic(TOPIC, 1, 1, topic_configs={"retention.ms": "604800000"})])
    admin.close()
    [offset] = publish(broker.kafka, "created")
    broker.advance_clock(6 * 24 * 3600)
    assert log_start(broker.kafka) == offset
    broker.advance_clock(2 * 24 * 3600)
    # Retention deletes whole segments, and never the one still taking records: the next
    # order, a day past segment.ms, starts a new one, and the old one goes.
    publish(broker.kafka, "paid")
    broker.advance_clock(0.001)  # Returns once retention has run at the new time.
    deadline = time.monotonic() + 5
    while log_start(broker.kafka) <= offset:
        assert time.monotonic() < deadline, "the order outlived its retention"
        time.sleep(0.01)
    assert read_all(broker.kafka) == ["paid"]
