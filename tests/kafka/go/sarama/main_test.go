// sarama (Debian's golang-github-shopify-sarama-dev 1.22.1) against brook's Kafka listener.
//
// Built and run by tests/kafka/go_clients_test.cc with `-bootstrap` (the Kafka listener),
// `-brook` and `-brook-bootstrap` (the CLI and brook's own listener, to read records back).
// sarama 1.22.1 never asks ApiVersions: it sends the versions its config.Version implies, so
// the tests run at the newest version it knows (sarama.MaxVersion, Kafka 2.2) and, where the
// feature exists there, at its default (Kafka 0.8.2: MessageSet v0, Produce and Fetch v0).
package sarama_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"brooktest/harness"

	"github.com/Shopify/sarama"
)

// The versions every producer and consumer test runs at.
var versions = []struct {
	name    string
	version sarama.KafkaVersion
}{
	{"default", sarama.NewConfig().Version},
	{"newest", sarama.MaxVersion},
}

func brokers() []string { return []string{*harness.Bootstrap} }

// newConfig is sarama's default config at `version`, answering successes and errors, with
// short waits so that tests do not sleep on sarama's multi-second defaults.
func newConfig(version sarama.KafkaVersion) *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = version
	cfg.ClientID = "brook-sarama-test"
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Consumer.Return.Errors = true
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.MaxWaitTime = 100 * time.Millisecond
	cfg.Metadata.Retry.Backoff = 50 * time.Millisecond
	return cfg
}

func newAdmin(t *testing.T) sarama.ClusterAdmin {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(brokers(), newConfig(sarama.MaxVersion))
	if err != nil {
		t.Fatalf("NewClusterAdmin: %v", err)
	}
	return admin
}

func createTopic(t *testing.T, topic string, partitions int32) {
	t.Helper()
	admin := newAdmin(t)
	defer admin.Close()
	detail := &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: 1}
	if err := admin.CreateTopic(topic, detail, false); err != nil {
		t.Fatalf("CreateTopic %s: %v", topic, err)
	}
}

// consumeAll reads `count` messages from the start of every partition of `topic` with a
// plain (group-less) consumer at `version`, in partition and offset order.
func consumeAll(t *testing.T, version sarama.KafkaVersion, topic string, count int) []*sarama.ConsumerMessage {
	t.Helper()
	consumer, err := sarama.NewConsumer(brokers(), newConfig(version))
	if err != nil {
		t.Fatalf("NewConsumer: %v", err)
	}
	defer consumer.Close()
	partitions, err := consumer.Partitions(topic)
	if err != nil {
		t.Fatalf("Partitions %s: %v", topic, err)
	}
	messages := make(chan *sarama.ConsumerMessage)
	errs := make(chan error, len(partitions))
	for _, p := range partitions {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatalf("ConsumePartition %s/%d: %v", topic, p, err)
		}
		defer pc.Close()
		go func() {
			for m := range pc.Messages() {
				messages <- m
			}
		}()
		go func() {
			for e := range pc.Errors() {
				errs <- e
			}
		}()
	}
	var got []*sarama.ConsumerMessage
	timeout := time.After(20 * time.Second)
	for len(got) < count {
		select {
		case m := <-messages:
			got = append(got, m)
		case e := <-errs:
			t.Fatalf("consuming %s: %v", topic, e)
		case <-timeout:
			t.Fatalf("consuming %s: %d messages after 20 s, want %d", topic, len(got), count)
		}
	}
	sort.Slice(got, func(i, j int) bool {
		if got[i].Partition != got[j].Partition {
			return got[i].Partition < got[j].Partition
		}
		return got[i].Offset < got[j].Offset
	})
	return got
}

// highWaterMarks is each partition's log end offset, from ListOffsets.
func highWaterMarks(t *testing.T, topic string) map[int32]int64 {
	t.Helper()
	client, err := sarama.NewClient(brokers(), newConfig(sarama.MaxVersion))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer client.Close()
	partitions, err := client.Partitions(topic)
	if err != nil {
		t.Fatalf("Partitions %s: %v", topic, err)
	}
	marks := map[int32]int64{}
	for _, p := range partitions {
		if marks[p], err = client.GetOffset(topic, p, sarama.OffsetNewest); err != nil {
			t.Fatalf("GetOffset %s/%d: %v", topic, p, err)
		}
	}
	return marks
}

func headerMap(headers []*sarama.RecordHeader) map[string]string {
	m := map[string]string{}
	for _, h := range headers {
		m[string(h.Key)] = string(h.Value)
	}
	return m
}

func describe(m *sarama.ConsumerMessage) string {
	return fmt.Sprintf("%s/%d@%d key=%q value=%q", m.Topic, m.Partition, m.Offset, m.Key, m.Value)
}
