package orders_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"brooktest"
	"orders"

	"github.com/Shopify/sarama"
)

func newProducer(t *testing.T, broker *brooktest.Broker) sarama.SyncProducer {
	t.Helper()
	producer, err := sarama.NewSyncProducer([]string{broker.Kafka}, orders.Config())
	if err != nil {
		t.Fatalf("producer: %v", err)
	}
	t.Cleanup(func() { producer.Close() })
	return producer
}

func newAdmin(t *testing.T, broker *brooktest.Broker) sarama.ClusterAdmin {
	t.Helper()
	admin, err := sarama.NewClusterAdmin([]string{broker.Kafka}, orders.Config())
	if err != nil {
		t.Fatalf("admin: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	return admin
}

func newClient(t *testing.T, broker *brooktest.Broker) sarama.Client {
	t.Helper()
	client, err := sarama.NewClient([]string{broker.Kafka}, orders.Config())
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// readAll reads partition 0 of the orders topic from its start to its end.
func readAll(t *testing.T, client sarama.Client) []string {
	t.Helper()
	end, err := client.GetOffset(orders.Topic, 0, sarama.OffsetNewest)
	if err != nil {
		t.Fatalf("end offset: %v", err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(orders.Topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatalf("consume: %v", err)
	}
	defer pc.Close()
	var values []string
	next, err := client.GetOffset(orders.Topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatalf("start offset: %v", err)
	}
	for next < end {
		select {
		case m := <-pc.Messages():
			values = append(values, string(m.Value))
			next = m.Offset + 1
		case <-time.After(5 * time.Second):
			t.Fatalf("read %d records, the topic ends at %d", len(values), end)
		}
	}
	return values
}

func TestPublishedOrdersAreConsumed(t *testing.T) {
	broker := brooktest.Start(t)
	producer := newProducer(t, broker)
	for _, event := range []string{"created", "paid", "shipped"} {
		if _, err := orders.Publish(producer, "order-1", event); err != nil {
			t.Fatalf("publish %s: %v", event, err)
		}
	}
	if got := strings.Join(readAll(t, newClient(t, broker)), ","); got != "created,paid,shipped" {
		t.Fatalf("consumed %q", got)
	}
}

// A fault: the broker answers the next two Produce requests with NOT_LEADER_OR_FOLLOWER, as a
// Kafka cluster does while a partition's leader moves. The service retries and the order is
// written once.
func TestPublishSurvivesALeaderMove(t *testing.T) {
	broker := brooktest.Start(t)
	producer := newProducer(t, broker)
	if _, err := orders.Publish(producer, "order-1", "created"); err != nil {
		t.Fatalf("publish: %v", err)
	}
	broker.AddFault(t, "--api", "Produce", "--topic", orders.Topic,
		"--error", "NOT_LEADER_OR_FOLLOWER", "--count", "2")
	if _, err := orders.Publish(producer, "order-1", "paid"); err != nil {
		t.Fatalf("publish through a leader move: %v", err)
	}
	if got := strings.Join(readAll(t, newClient(t, broker)), ","); got != "created,paid" {
		t.Fatalf("consumed %q", got)
	}
	if faults := broker.Faults(t); len(faults) != 1 || faults[0].Fired != 2 {
		t.Fatalf("the fault did not fire twice: %+v", faults)
	}
}

// The clock: with retention.ms of 7 days, an order event is gone once 8 days have passed on
// the broker's manual clock (and a later order has moved the log on); the test takes
// milliseconds.
func TestOrdersExpireAfterRetention(t *testing.T) {
	broker := brooktest.Start(t, brooktest.ManualClock())
	admin := newAdmin(t, broker)
	week := "604800000"
	if err := admin.CreateTopic(orders.Topic, &sarama.TopicDetail{NumPartitions: 1,
		ReplicationFactor: 1, ConfigEntries: map[string]*string{"retention.ms": &week}}, false); err != nil {
		t.Fatalf("create topic: %v", err)
	}
	producer := newProducer(t, broker)
	offset, err := orders.Publish(producer, "order-1", "created")
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	client := newClient(t, broker)
	broker.AdvanceClock(t, 6*24*time.Hour)
	if start, _ := client.GetOffset(orders.Topic, 0, sarama.OffsetOldest); start != offset {
		t.Fatalf("after 6 days the log starts at %d, want the record at %d still there", start, offset)
	}
	broker.AdvanceClock(t, 2*24*time.Hour)
	// Retention deletes whole segments, and never the one still taking records: the next
	// order, a day past segment.ms, starts a new one, and the old one goes.
	if _, err := orders.Publish(producer, "order-2", "created"); err != nil {
		t.Fatalf("publish: %v", err)
	}
	broker.AdvanceClock(t, time.Millisecond) // Returns once retention has run at the new time.
	deadline := time.Now().Add(5 * time.Second)
	for {
		start, err := client.GetOffset(orders.Topic, 0, sarama.OffsetOldest)
		if err == nil && start > offset {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 8 days the log still starts at %d (%v)", start, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Reset: one broker serves several tests, each starting from nothing.
func TestResetForgetsEverything(t *testing.T) {
	broker := brooktest.Start(t)
	if _, err := orders.Publish(newProducer(t, broker), "order-1", "created"); err != nil {
		t.Fatalf("publish: %v", err)
	}
	broker.Reset(t)
	topics, err := newAdmin(t, broker).ListTopics()
	if err != nil {
		t.Fatalf("list topics: %v", err)
	}
	if _, ok := topics[orders.Topic]; ok {
		t.Fatalf("%s is still there after a reset", orders.Topic)
	}
}

// A fresh broker per test case costs milliseconds: 100 cases, each with its own broker, each
// seeing an empty log (`go test -v -run FreshBroker orders` prints the time they took).
func TestFreshBrokerPerCase(t *testing.T) {
	for i := 0; i < 100; i++ {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			broker := brooktest.Start(t)
			offset, err := orders.Publish(newProducer(t, broker), fmt.Sprint("order-", i), "created")
			if err != nil || offset != 0 {
				t.Fatalf("publish to a fresh broker: offset %d, %v", offset, err)
			}
		})
	}
}
