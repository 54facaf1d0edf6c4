package kafkago_test

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"brooktest/harness"

	"github.com/segmentio/kafka-go"
)

// CreateTopics (v0, with configs), ReadPartitions (Metadata v1), DeleteTopics (v1).
func TestConnTopics(t *testing.T) {
	const topic = "kafkago-conn-topics"
	createTopic(t, topic, 3, kafka.ConfigEntry{ConfigName: "retention.ms", ConfigValue: "3600000"})
	conn := dial(t)
	defer conn.Close()
	// kafka-go's CreateTopics ignores TOPIC_ALREADY_EXISTS by design; an unknown config is refused.
	if err := conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 3, ReplicationFactor: 1}); err != nil {
		t.Errorf("CreateTopics of an existing topic: %v", err)
	}
	err := conn.CreateTopics(kafka.TopicConfig{Topic: "kafkago-bad-config", NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "no.such.config", ConfigValue: "1"}}})
	if err != kafka.InvalidConfiguration {
		t.Errorf("CreateTopics with an unknown config: %v, want %v", err, kafka.InvalidConfiguration)
	}

	partitions, err := conn.ReadPartitions(topic)
	if err != nil || len(partitions) != 3 {
		t.Fatalf("ReadPartitions: %v %v", partitions, err)
	}
	host, port, _ := net.SplitHostPort(*harness.Bootstrap)
	for i, p := range partitions {
		if p.Topic != topic || p.ID != i || p.Leader.ID != 1 || p.Leader.Host != host || strconv.Itoa(p.Leader.Port) != port ||
			len(p.Replicas) != 1 || p.Replicas[0].ID != 1 || len(p.Isr) != 1 || p.Isr[0].ID != 1 {
			t.Errorf("partition %d: %+v", i, p)
		}
	}

	if err := conn.DeleteTopics(topic); err != nil {
		t.Fatalf("DeleteTopics: %v", err)
	}
	if err := conn.DeleteTopics(topic); err != kafka.UnknownTopicOrPartition {
		t.Errorf("DeleteTopics again: %v, want %v", err, kafka.UnknownTopicOrPartition)
	}
}

// A partition leader's Conn: WriteMessages, ReadFirstOffset/ReadLastOffset/ReadOffsets,
// ReadOffset by time (ListOffsets v1), Seek and ReadBatch (Fetch v2).
func TestConnOffsets(t *testing.T) {
	const topic = "kafkago-conn-offsets"
	createTopic(t, topic, 2)
	conn := dialLeader(t, topic, 1)
	defer conn.Close()
	if first, last, err := conn.ReadOffsets(); err != nil || first != 0 || last != 0 {
		t.Fatalf("ReadOffsets of an empty partition: %d %d %v", first, last, err)
	}
	msgs := keyed(10)
	if _, err := conn.WriteMessages(msgs...); err != nil {
		t.Fatalf("WriteMessages: %v", err)
	}
	first, err := conn.ReadFirstOffset()
	if err != nil || first != 0 {
		t.Errorf("ReadFirstOffset: %d %v", first, err)
	}
	last, err := conn.ReadLastOffset()
	if err != nil || last != 10 {
		t.Errorf("ReadLastOffset: %d %v", last, err)
	}
	for _, i := range []int{0, 4, 9} {
		if offset, err := conn.ReadOffset(msgs[i].Time); err != nil || offset != int64(i) {
			t.Errorf("ReadOffset(time of message %d): %d %v", i, offset, err)
		}
	}
	// No message at or after that time: ListOffsets v1 answers -1, as in Kafka.
	if offset, err := conn.ReadOffset(msgs[9].Time.Add(time.Millisecond)); err != nil || offset != -1 {
		t.Errorf("ReadOffset(after the last message): %d %v", offset, err)
	}

	if _, err := conn.Seek(3, kafka.SeekAbsolute); err != nil {
		t.Fatalf("Seek: %v", err)
	}
	batch := conn.ReadBatch(1, 1<<20)
	for i := 3; i < 10; i++ {
		m, err := batch.ReadMessage()
		if err != nil {
			t.Fatalf("ReadBatch message %d: %v", i, err)
		}
		if m.Offset != int64(i) || m.Partition != 1 {
			t.Errorf("message %d read at %d/%d", i, m.Partition, m.Offset)
		}
		if diff := sameMessage(m, msgs[i]); diff != "" {
			t.Errorf("offset %d: %s", i, diff)
		}
	}
	if err := batch.Close(); err != nil {
		t.Errorf("Batch.Close: %v", err)
	}
	if hw := batch.HighWaterMark(); hw != 10 {
		t.Errorf("HighWaterMark %d", hw)
	}
	other := dialLeader(t, topic, 0)
	defer other.Close()
	if last, err := other.ReadLastOffset(); err != nil || last != 0 {
		t.Errorf("partition 0: ReadLastOffset %d %v", last, err)
	}
}

// A message over the topic's max.message.bytes is refused with MESSAGE_TOO_LARGE, and a
// Writer gives up on it after its attempts.
func TestMessageTooLarge(t *testing.T) {
	const topic = "kafkago-small"
	createTopic(t, topic, 1, kafka.ConfigEntry{ConfigName: "max.message.bytes", ConfigValue: "2000"})
	big := kafka.Message{Value: make([]byte, 5000)}
	// kafka-go 0.2.1 stops reading a Produce answer at a partition's error, leaving its
	// throttle time unread: that Conn is unusable afterwards (its Writer closes it), so it
	// is closed here too.
	conn := dialLeader(t, topic, 0)
	if _, err := conn.WriteMessages(big); err != kafka.MessageSizeTooLarge {
		t.Errorf("Conn.WriteMessages of 5000 bytes: %v, want %v", err, kafka.MessageSizeTooLarge)
	}
	conn.Close()
	w := kafka.NewWriter(kafka.WriterConfig{Brokers: []string{*harness.Bootstrap}, Topic: topic, MaxAttempts: 2,
		BatchTimeout: 10 * time.Millisecond})
	defer w.Close()
	if err := w.WriteMessages(context.Background(), big); err != kafka.MessageSizeTooLarge {
		t.Errorf("Writer.WriteMessages of 5000 bytes: %v, want %v", err, kafka.MessageSizeTooLarge)
	}
	conn = dialLeader(t, topic, 0)
	defer conn.Close()
	if last, err := conn.ReadLastOffset(); err != nil || last != 0 {
		t.Errorf("after the refusals the log ends at %d (%v), want 0", last, err)
	}
}
