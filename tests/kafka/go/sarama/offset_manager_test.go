package sarama_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/Shopify/sarama"
)

// Commits outside any group, with sarama's OffsetManager: FindCoordinator v0, OffsetFetch
// v1, and OffsetCommit v1 (generation -1, no member) or, with a retention time, v2.
func TestOffsetManager(t *testing.T) {
	const topic = "sarama-offsets"
	createTopic(t, topic, 1)
	for _, retention := range []time.Duration{0, time.Hour} {
		for _, v := range versions {
			if retention != 0 && !v.version.IsAtLeast(sarama.V0_9_0_0) {
				continue // sarama sends OffsetCommit v2 only from Kafka 0.9 on.
			}
			name := fmt.Sprintf("%s-retention-%v", v.name, retention)
			t.Run(name, func(t *testing.T) {
				cfg := newConfig(v.version)
				cfg.Consumer.Offsets.Retention = retention
				client, err := sarama.NewClient(brokers(), cfg)
				if err != nil {
					t.Fatalf("NewClient: %v", err)
				}
				defer client.Close()
				// manage runs f on the group's partition 0 manager, then commits what f marked.
				manage := func(f func(sarama.PartitionOffsetManager)) {
					om, err := sarama.NewOffsetManagerFromClient("sarama-"+name, client)
					if err != nil {
						t.Fatalf("NewOffsetManagerFromClient: %v", err)
					}
					pom, err := om.ManagePartition(topic, 0)
					if err != nil {
						t.Fatalf("ManagePartition: %v", err)
					}
					f(pom)
					om.Close()
					if err := pom.Close(); err != nil {
						t.Fatalf("committing: %v", err.(sarama.ConsumerErrors)[0].Err)
					}
				}
				next := func() (offset int64, metadata string) {
					manage(func(pom sarama.PartitionOffsetManager) { offset, metadata = pom.NextOffset() })
					return
				}
				if offset, _ := next(); offset != sarama.OffsetOldest {
					t.Errorf("a group with no commit starts at %d, want the initial offset", offset)
				}
				manage(func(pom sarama.PartitionOffsetManager) { pom.MarkOffset(5, "five") })
				if offset, metadata := next(); offset != 5 || metadata != "five" {
					t.Errorf("after committing 5: %d %q", offset, metadata)
				}
				manage(func(pom sarama.PartitionOffsetManager) { pom.ResetOffset(2, "") })
				if offset, metadata := next(); offset != 2 || metadata != "" {
					t.Errorf("after committing 2: %d %q", offset, metadata)
				}
			})
		}
	}
}
