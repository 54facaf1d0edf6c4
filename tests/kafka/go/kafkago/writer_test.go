package kafkago_test

import (
	"fmt"
	"testing"

	"brooktest/harness"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/gzip"
	"github.com/segmentio/kafka-go/lz4"
	"github.com/segmentio/kafka-go/snappy"
)

// readAll reads every partition of `topic` to its end with Conns, by partition.
func readAll(t *testing.T, topic string, partitions int) map[int][]kafka.Message {
	t.Helper()
	read := map[int][]kafka.Message{}
	for p := 0; p < partitions; p++ {
		conn := dialLeader(t, topic, p)
		last, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatalf("ReadLastOffset %s/%d: %v", topic, p, err)
		}
		if last > 0 {
			read[p] = readPartition(t, topic, p, kafka.FirstOffset, int(last))
		}
	}
	return read
}

// The Hash balancer: each key in one partition, the one kafka-go (and sarama) compute from
// the partitions Metadata lists, in the order written.
func TestWriterHashBalancer(t *testing.T) {
	const topic = "kafkago-hash"
	createTopic(t, topic, 3)
	msgs := keyed(90)
	write(t, topic, func(c *kafka.WriterConfig) { c.Balancer = &kafka.Hash{} }, msgs)
	read := readAll(t, topic, 3)
	total := 0
	for p, partition := range read {
		total += len(partition)
		last := map[string]int64{}
		for _, m := range partition {
			if want := (&kafka.Hash{}).Balance(m, 0, 1, 2); want != p {
				t.Errorf("key %s in partition %d, Hash says %d", m.Key, p, want)
			}
			if prev, seen := last[string(m.Key)]; seen && m.Time.UnixMilli() <= prev {
				t.Errorf("partition %d: key %s out of order", p, m.Key)
			}
			last[string(m.Key)] = m.Time.UnixMilli()
		}
	}
	if total != len(msgs) {
		t.Errorf("%d messages read, %d written", total, len(msgs))
	}
}

// The LeastBytes balancer spreads equal messages evenly.
func TestWriterLeastBytesBalancer(t *testing.T) {
	const topic = "kafkago-least-bytes"
	createTopic(t, topic, 3)
	write(t, topic, func(c *kafka.WriterConfig) { c.Balancer = &kafka.LeastBytes{} }, keyed(60))
	for p, partition := range readAll(t, topic, 3) {
		if len(partition) != 20 {
			t.Errorf("partition %d has %d messages, want 20", p, len(partition))
		}
	}
}

// Each codec kafka-go 0.2.1 has (no zstd): compressed MessageSets (v1) in Produce v2, read
// back by a Reader (Fetch v2, down-converted) and by `brook consume` with the same keys,
// values, times and offsets.
func TestWriterCompression(t *testing.T) {
	codecs := []kafka.CompressionCodec{gzip.NewCompressionCodec(), snappy.NewCompressionCodec(), lz4.NewCompressionCodec()}
	for _, codec := range codecs {
		name := map[int8]string{gzip.Code: "gzip", snappy.Code: "snappy", lz4.Code: "lz4"}[codec.Code()]
		t.Run(name, func(t *testing.T) {
			topic := "kafkago-" + name
			createTopic(t, topic, 1)
			msgs := keyed(200)
			write(t, topic, func(c *kafka.WriterConfig) { c.CompressionCodec = codec }, msgs)
			for i, m := range readPartition(t, topic, 0, kafka.FirstOffset, len(msgs)) {
				if m.Offset != int64(i) {
					t.Fatalf("message %d read at offset %d", i, m.Offset)
				}
				if diff := sameMessage(m, msgs[i]); diff != "" {
					t.Errorf("offset %d: %s", i, diff)
				}
			}
			checkBrookConsume(t, topic, msgs)
		})
	}
}

// checkBrookConsume checks that `brook consume` reads `msgs`, written in order to the only
// partition of `topic`, with the same keys, values, timestamps and offsets.
func checkBrookConsume(t *testing.T, topic string, msgs []kafka.Message) {
	t.Helper()
	records, err := harness.BrookConsume(topic, len(msgs))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range msgs {
		r, there := records[harness.Position{Partition: 0, Offset: int64(i)}]
		if !there {
			t.Fatalf("brook consume has no record at offset %d", i)
		}
		if !harness.SameStr(r.Key, harness.Str(want.Key)) || !harness.SameStr(r.Value, harness.Str(want.Value)) ||
			r.Timestamp != want.Time.UnixMilli() || len(r.Headers) != 0 {
			t.Errorf("brook consume read offset %d as %s, wrote key=%q value=%q time=%d", i,
				fmt.Sprintf("key=%s value=%s time=%d headers=%v", harness.Show(r.Key), harness.Show(r.Value), r.Timestamp, r.Headers),
				want.Key, want.Value, want.Time.UnixMilli())
		}
	}
}
