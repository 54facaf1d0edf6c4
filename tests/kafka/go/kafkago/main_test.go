// segmentio/kafka-go (Debian's golang-github-segmentio-kafka-go-dev 0.2.1) against brook's
// Kafka listener.
//
// Built and run by tests/kafka/go_clients_test.cc with `-bootstrap` (the Kafka listener),
// `-brook` and `-brook-bootstrap` (the CLI and brook's own listener, to read records back).
// kafka-go 0.2.1 speaks fixed, old versions (Produce and Fetch v2, so message format v1
// without headers; Metadata v1, ListOffsets v1, JoinGroup v1, CreateTopics v0) and has no
// Client API (it came in 0.4): its Conn, Writer and Reader are what is checked.
package kafkago_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"brooktest/harness"

	"github.com/segmentio/kafka-go"
)

func dial(t *testing.T) *kafka.Conn {
	t.Helper()
	conn, err := kafka.Dial("tcp", *harness.Bootstrap)
	if err != nil {
		t.Fatalf("Dial %s: %v", *harness.Bootstrap, err)
	}
	return conn
}

func dialLeader(t *testing.T, topic string, partition int) *kafka.Conn {
	t.Helper()
	conn, err := kafka.DialLeader(context.Background(), "tcp", *harness.Bootstrap, topic, partition)
	if err != nil {
		t.Fatalf("DialLeader %s/%d: %v", topic, partition, err)
	}
	return conn
}

func createTopic(t *testing.T, topic string, partitions int, configs ...kafka.ConfigEntry) {
	t.Helper()
	conn := dial(t)
	defer conn.Close()
	err := conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1,
		ConfigEntries: configs})
	if err != nil {
		t.Fatalf("CreateTopics %s: %v", topic, err)
	}
}

// write sends `msgs` with a Writer for `topic` configured by `configure`, flushing batches of
// up to 50 messages every 10 ms.
func write(t *testing.T, topic string, configure func(*kafka.WriterConfig), msgs []kafka.Message) {
	t.Helper()
	cfg := kafka.WriterConfig{Brokers: []string{*harness.Bootstrap}, Topic: topic, BatchSize: 50,
		BatchTimeout: 10 * time.Millisecond}
	if configure != nil {
		configure(&cfg)
	}
	w := kafka.NewWriter(cfg)
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("WriteMessages to %s: %v", topic, err)
	}
}

// keyed is `n` messages: key "key-<i%7>", value "value-<i>" padded so that batches compress,
// and a time i ms after a fixed one.
func keyed(n int) []kafka.Message {
	base := time.UnixMilli(1_700_000_000_000)
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte(fmt.Sprintf("key-%d", i%7)),
			Value: []byte(fmt.Sprintf("value-%d %0100d", i, 0)), Time: base.Add(time.Duration(i) * time.Millisecond)}
	}
	return msgs
}

// readPartition reads `count` messages of `topic`'s `partition` from `offset` with a Reader
// outside any group.
func readPartition(t *testing.T, topic string, partition int, offset int64, count int) []kafka.Message {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{*harness.Bootstrap}, Topic: topic,
		Partition: partition, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(offset); err != nil {
		t.Fatalf("SetOffset %d: %v", offset, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var msgs []kafka.Message
	for len(msgs) < count {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("ReadMessage %s/%d after %d messages: %v", topic, partition, len(msgs), err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// sameMessage reports how `got` differs from `want` in key, value and time (ms), or "".
func sameMessage(got, want kafka.Message) string {
	if string(got.Key) != string(want.Key) || string(got.Value) != string(want.Value) ||
		got.Time.UnixMilli() != want.Time.UnixMilli() {
		return fmt.Sprintf("read key=%q value=%q time=%v, wrote key=%q value=%q time=%v",
			got.Key, got.Value, got.Time, want.Key, want.Value, want.Time)
	}
	return ""
}
