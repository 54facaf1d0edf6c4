package sarama_test

import (
	"fmt"
	"os/exec"
	"testing"

	"brooktest/harness"

	"github.com/Shopify/sarama"
)

// After `brook topic compact`, a consumer at each version (Fetch v0 down-converts, v4 serves
// the stored batches) reads each key's last value at its original offset.
func TestCompactedTopic(t *testing.T) {
	const topic = "sarama-compacted-reads"
	admin := newAdmin(t)
	defer admin.Close()
	configs := map[string]*string{"cleanup.policy": strp("compact"), "segment.bytes": strp("1024")}
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1, ConfigEntries: configs}, false); err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	producer, err := sarama.NewSyncProducer(brokers(), newConfig(sarama.MaxVersion))
	if err != nil {
		t.Fatalf("NewSyncProducer: %v", err)
	}
	defer producer.Close()
	for i := 0; i < 100; i++ {
		m := &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(fmt.Sprint(i % 5)),
			Value: sarama.StringEncoder(fmt.Sprintf("value-%d %050d", i, 0))}
		if _, _, err := producer.SendMessage(m); err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
	}
	if out, err := exec.Command(*harness.BrookBinary, "topic", "compact", topic, "--bootstrap", *harness.BrookBootstrap).CombinedOutput(); err != nil {
		t.Fatalf("brook topic compact: %v: %s", err, out)
	}
	for _, v := range versions {
		for i, m := range consumeAll(t, v.version, topic, 5) {
			if m.Offset != int64(95+i) || string(m.Key) != fmt.Sprint(i) || string(m.Value) != fmt.Sprintf("value-%d %050d", 95+i, 0) {
				t.Errorf("%s: after compaction read %s", v.name, describe(m))
			}
		}
	}
}
