package sarama_test

import (
	"fmt"
	"testing"
	"time"

	"brooktest/harness"

	"github.com/Shopify/sarama"
)

func hasHeaders(v sarama.KafkaVersion) bool    { return v.IsAtLeast(sarama.V0_11_0_0) }
func hasTimestamps(v sarama.KafkaVersion) bool { return v.IsAtLeast(sarama.V0_10_0_0) }

// keyedMessages is `n` messages for `topic`: message i has key "key-<i%7>" (message 0 has
// none), value "value-<i>" padded so that batches compress, a "seq" header and a timestamp
// i ms after a fixed time, where `version` carries them.
func keyedMessages(version sarama.KafkaVersion, topic string, n int) []*sarama.ProducerMessage {
	base := time.UnixMilli(1_700_000_000_000)
	msgs := make([]*sarama.ProducerMessage, n)
	for i := range msgs {
		m := &sarama.ProducerMessage{
			Topic: topic,
			Value: sarama.StringEncoder(fmt.Sprintf("value-%d %0100d", i, 0)),
		}
		if i > 0 {
			m.Key = sarama.StringEncoder(fmt.Sprintf("key-%d", i%7))
		}
		if hasHeaders(version) {
			m.Headers = []sarama.RecordHeader{{Key: []byte("seq"), Value: []byte(fmt.Sprint(i))}}
		}
		if hasTimestamps(version) {
			m.Timestamp = base.Add(time.Duration(i) * time.Millisecond)
		}
		msgs[i] = m
	}
	return msgs
}

func encoded(e sarama.Encoder) []byte {
	if e == nil {
		return nil
	}
	b, _ := e.Encode()
	return b
}

// checkRoundTrip checks that what the producer was told (each message's partition and
// offset) is where a sarama consumer at `version`, and `brook consume`, find each message,
// with its key, value and, where `version` carries them, headers and timestamp.
func checkRoundTrip(t *testing.T, version sarama.KafkaVersion, topic string, sent []*sarama.ProducerMessage) {
	t.Helper()
	byPosition := map[harness.Position]*sarama.ProducerMessage{}
	partitionOfKey := map[string]int32{}
	for _, m := range sent {
		pos := harness.Position{Partition: m.Partition, Offset: m.Offset}
		if other, dup := byPosition[pos]; dup {
			t.Fatalf("%v and %v were both told %v", m.Value, other.Value, pos)
		}
		byPosition[pos] = m
		if m.Key == nil {
			continue
		}
		key := string(encoded(m.Key))
		if p, seen := partitionOfKey[key]; seen && p != m.Partition {
			t.Errorf("key %s went to partitions %d and %d", key, p, m.Partition)
		}
		partitionOfKey[key] = m.Partition
	}
	for _, got := range consumeAll(t, version, topic, len(sent)) {
		want := byPosition[harness.Position{Partition: got.Partition, Offset: got.Offset}]
		if want == nil {
			t.Errorf("consumed %s: no message was told that position", describe(got))
			continue
		}
		if string(got.Key) != string(encoded(want.Key)) || (got.Key == nil) != (want.Key == nil) ||
			string(got.Value) != string(encoded(want.Value)) {
			t.Errorf("consumed %s, sent key=%q value=%q", describe(got), encoded(want.Key), encoded(want.Value))
		}
		if hasHeaders(version) && headerMap(got.Headers)["seq"] != string(want.Headers[0].Value) {
			t.Errorf("consumed %s with headers %v, sent %v", describe(got), headerMap(got.Headers), want.Headers)
		}
		if hasTimestamps(version) && !got.Timestamp.Equal(want.Timestamp) {
			t.Errorf("consumed %s with timestamp %v, sent %v", describe(got), got.Timestamp, want.Timestamp)
		}
	}
	records, err := harness.BrookConsume(topic, len(sent))
	if err != nil {
		t.Fatal(err)
	}
	for pos, r := range records {
		want := byPosition[pos]
		if want == nil {
			t.Errorf("brook consume read %+v: no message was told that position", pos)
			continue
		}
		if !harness.SameStr(r.Key, harness.Str(encoded(want.Key))) || !harness.SameStr(r.Value, harness.Str(encoded(want.Value))) {
			t.Errorf("brook consume read %+v key=%s value=%s, sent key=%q value=%q", pos, harness.Show(r.Key),
				harness.Show(r.Value), encoded(want.Key), encoded(want.Value))
		}
		if hasHeaders(version) && (len(r.Headers) != 1 || !harness.SameHeader(r.Headers[0], "seq", harness.Str(want.Headers[0].Value))) {
			t.Errorf("brook consume read %+v with headers %v, sent %v", pos, r.Headers, want.Headers)
		}
		if hasTimestamps(version) && r.Timestamp != want.Timestamp.UnixMilli() {
			t.Errorf("brook consume read %+v with timestamp %d, sent %v", pos, r.Timestamp, want.Timestamp)
		}
		if !hasTimestamps(version) && r.Timestamp <= 0 {
			t.Errorf("brook consume read %+v with timestamp %d: a magic-0 message gets the broker's time", pos, r.Timestamp)
		}
	}
}

func TestSyncProducer(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			topic := "sarama-sync-" + v.name
			createTopic(t, topic, 3)
			producer, err := sarama.NewSyncProducer(brokers(), newConfig(v.version))
			if err != nil {
				t.Fatalf("NewSyncProducer: %v", err)
			}
			defer producer.Close()
			msgs := keyedMessages(v.version, topic, 60)
			if p, o, err := producer.SendMessage(msgs[0]); err != nil || o != 0 {
				t.Fatalf("SendMessage: partition %d offset %d, %v", p, o, err)
			}
			if err := producer.SendMessages(msgs[1:]); err != nil {
				t.Fatalf("SendMessages: %v", err)
			}
			checkRoundTrip(t, v.version, topic, msgs)
		})
	}
}

// produceAsync sends `msgs` through an AsyncProducer with `cfg`, batching up to 25 messages,
// and returns the messages as the successes channel gave them back, or the errors.
func produceAsync(t *testing.T, cfg *sarama.Config, msgs []*sarama.ProducerMessage) ([]*sarama.ProducerMessage, []*sarama.ProducerError) {
	t.Helper()
	cfg.Producer.Return.Errors = true
	cfg.Producer.Flush.Messages = 25
	cfg.Producer.Flush.Frequency = 5 * time.Millisecond
	producer, err := sarama.NewAsyncProducer(brokers(), cfg)
	if err != nil {
		t.Fatalf("NewAsyncProducer: %v", err)
	}
	go func() {
		for _, m := range msgs {
			producer.Input() <- m
		}
	}()
	var done []*sarama.ProducerMessage
	var failed []*sarama.ProducerError
	timeout := time.After(30 * time.Second)
	for len(done)+len(failed) < len(msgs) {
		select {
		case m := <-producer.Successes():
			done = append(done, m)
		case e := <-producer.Errors():
			failed = append(failed, e)
		case <-timeout:
			t.Fatalf("after 30 s: %d successes and %d errors of %d", len(done), len(failed), len(msgs))
		}
	}
	if err := producer.Close(); err != nil {
		t.Fatalf("AsyncProducer.Close: %v", err)
	}
	return done, failed
}

func TestAsyncProducer(t *testing.T) {
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			topic := "sarama-async-" + v.name
			createTopic(t, topic, 3)
			done, failed := produceAsync(t, newConfig(v.version), keyedMessages(v.version, topic, 300))
			if len(failed) > 0 {
				t.Fatalf("%d errors, the first: %v", len(failed), failed[0].Err)
			}
			checkRoundTrip(t, v.version, topic, done)
		})
	}
}

// Every codec sarama has, at each version that allows it. sarama 1.22.1 sends zstd batches
// in Produce v3 (sarama issue #1252, fixed in later sarama releases); Kafka, and brook, accept zstd
// from Produce v7 on only, and answer UNSUPPORTED_COMPRESSION_TYPE.
func TestCompressionCodecs(t *testing.T) {
	codecs := []struct {
		name  string
		codec sarama.CompressionCodec
		since sarama.KafkaVersion
	}{
		{"none", sarama.CompressionNone, sarama.MinVersion},
		{"gzip", sarama.CompressionGZIP, sarama.MinVersion},
		{"snappy", sarama.CompressionSnappy, sarama.MinVersion},
		{"lz4", sarama.CompressionLZ4, sarama.V0_10_0_0},
	}
	for _, v := range versions {
		for _, c := range codecs {
			if !v.version.IsAtLeast(c.since) {
				continue
			}
			t.Run(v.name+"/"+c.name, func(t *testing.T) {
				topic := "sarama-" + c.name + "-" + v.name
				createTopic(t, topic, 1)
				cfg := newConfig(v.version)
				cfg.Producer.Compression = c.codec
				done, failed := produceAsync(t, cfg, keyedMessages(v.version, topic, 200))
				if len(failed) > 0 {
					t.Fatalf("%d errors, the first: %v", len(failed), failed[0].Err)
				}
				checkRoundTrip(t, v.version, topic, done)
			})
		}
		t.Run(v.name+"/zstd", func(t *testing.T) {
			topic := "sarama-zstd-" + v.name
			createTopic(t, topic, 1)
			cfg := newConfig(v.version)
			cfg.Producer.Compression = sarama.CompressionZSTD
			done, failed := produceAsync(t, cfg, keyedMessages(v.version, topic, 10))
			if len(done) > 0 {
				t.Fatalf("%d zstd messages accepted before Produce v7", len(done))
			}
			for _, e := range failed {
				if e.Err != sarama.ErrUnsupportedCompressionType {
					t.Fatalf("zstd before Produce v7: %v, want %v", e.Err, sarama.ErrUnsupportedCompressionType)
				}
			}
		})
	}
}

// The idempotent producer: InitProducerId, then batches with its id and sequence numbers;
// every message is written once, and each partition's offsets follow the order sent.
func TestIdempotentProducer(t *testing.T) {
	const topic = "sarama-idempotent"
	createTopic(t, topic, 3)
	cfg := newConfig(sarama.MaxVersion)
	cfg.Producer.Idempotent = true
	cfg.Net.MaxOpenRequests = 1
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	msgs := keyedMessages(sarama.MaxVersion, topic, 500)
	done, failed := produceAsync(t, cfg, msgs)
	if len(failed) > 0 {
		t.Fatalf("%d errors, the first: %v", len(failed), failed[0].Err)
	}
	// Per partition, offsets are 0, 1, 2... in the order the messages were sent.
	next := map[int32]int64{}
	lastSent := map[int32]int{}
	index := map[*sarama.ProducerMessage]int{}
	for i, m := range msgs {
		index[m] = i
	}
	for _, m := range done {
		if m.Offset != next[m.Partition] {
			t.Fatalf("partition %d: offset %d after %d", m.Partition, m.Offset, next[m.Partition]-1)
		}
		next[m.Partition]++
		if i, seen := lastSent[m.Partition]; seen && index[m] < i {
			t.Fatalf("partition %d: message %d written after message %d", m.Partition, index[m], i)
		}
		lastSent[m.Partition] = index[m]
	}
	checkRoundTrip(t, sarama.MaxVersion, topic, done)
}

// Null and empty keys, values and header values stay what they were, for sarama and for
// `brook consume`.
func TestNullsAndEmpties(t *testing.T) {
	const topic = "sarama-nulls"
	createTopic(t, topic, 1)
	producer, err := sarama.NewSyncProducer(brokers(), newConfig(sarama.MaxVersion))
	if err != nil {
		t.Fatalf("NewSyncProducer: %v", err)
	}
	defer producer.Close()
	msgs := []*sarama.ProducerMessage{
		{Topic: topic},
		{Topic: topic, Key: sarama.ByteEncoder{}, Value: sarama.ByteEncoder{},
			Headers: []sarama.RecordHeader{{Key: []byte("null"), Value: nil}, {Key: []byte("empty"), Value: []byte{}}}},
	}
	if err := producer.SendMessages(msgs); err != nil {
		t.Fatalf("SendMessages: %v", err)
	}
	got := consumeAll(t, sarama.MaxVersion, topic, 2)
	if got[0].Key != nil || got[0].Value != nil || len(got[0].Headers) != 0 {
		t.Errorf("null key and value read as %s headers %v", describe(got[0]), got[0].Headers)
	}
	if got[1].Key == nil || len(got[1].Key) != 0 || got[1].Value == nil || len(got[1].Value) != 0 ||
		len(got[1].Headers) != 2 || got[1].Headers[0].Value != nil || got[1].Headers[1].Value == nil {
		t.Errorf("empty key, value and header read as %s headers %v", describe(got[1]), got[1].Headers)
	}
	records, err := harness.BrookConsume(topic, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r := records[harness.Position{Partition: 0, Offset: 0}]; r.Key != nil || r.Value != nil {
		t.Errorf("brook consume read null key and value as %s %s", harness.Show(r.Key), harness.Show(r.Value))
	}
	r := records[harness.Position{Partition: 0, Offset: 1}]
	if !harness.SameStr(r.Key, harness.Str([]byte{})) || !harness.SameStr(r.Value, harness.Str([]byte{})) ||
		len(r.Headers) != 2 || !harness.SameHeader(r.Headers[0], "null", nil) ||
		!harness.SameHeader(r.Headers[1], "empty", harness.Str([]byte{})) {
		t.Errorf("brook consume read empty key, value and headers as %s %s %v", harness.Show(r.Key), harness.Show(r.Value), r.Headers)
	}
}

// What Kafka refuses, at both versions: a batch over the topic's max.message.bytes
// (MESSAGE_TOO_LARGE), a record without key on a compacted topic (INVALID_RECORD, which
// sarama 1.22 does not name).
func TestProducerRefusals(t *testing.T) {
	admin := newAdmin(t)
	defer admin.Close()
	for topic, config := range map[string]string{"sarama-small": "max.message.bytes", "sarama-compacted": "cleanup.policy"} {
		value := map[string]string{"max.message.bytes": "2000", "cleanup.policy": "compact"}[config]
		detail := &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1, ConfigEntries: map[string]*string{config: &value}}
		if err := admin.CreateTopic(topic, detail, false); err != nil {
			t.Fatalf("CreateTopic %s: %v", topic, err)
		}
	}
	const invalidRecord = sarama.KError(87)
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			cfg := newConfig(v.version)
			cfg.Producer.MaxMessageBytes = 1 << 20 // sarama's own limit stays out of the way.
			producer, err := sarama.NewSyncProducer(brokers(), cfg)
			if err != nil {
				t.Fatalf("NewSyncProducer: %v", err)
			}
			defer producer.Close()
			big := &sarama.ProducerMessage{Topic: "sarama-small", Value: sarama.StringEncoder(fmt.Sprintf("%05000d", 0))}
			if _, _, err := producer.SendMessage(big); err != sarama.ErrMessageSizeTooLarge {
				t.Errorf("5000 bytes to a topic of max.message.bytes 2000: %v", err)
			}
			keyless := &sarama.ProducerMessage{Topic: "sarama-compacted", Value: sarama.StringEncoder("v")}
			if _, _, err := producer.SendMessage(keyless); err != invalidRecord {
				t.Errorf("no key to a compacted topic: %v, want %v", err, invalidRecord)
			}
			tombstone := &sarama.ProducerMessage{Topic: "sarama-compacted", Key: sarama.StringEncoder("k")}
			if _, _, err := producer.SendMessage(tombstone); err != nil {
				t.Errorf("a tombstone to a compacted topic: %v", err)
			}
		})
	}
}
