// Package orders is the code under test in this example: a service that publishes order
// events to Kafka with sarama. Its tests (orders_test.go) run it against a real brook.
package orders

import (
	"time"

	"github.com/Shopify/sarama"
)

// Topic is where order events go.
const Topic = "orders"

// Config is the service's producer configuration: every write acknowledged by the broker,
// retried on the errors Kafka calls retriable.
func Config() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V2_1_0_0
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Retry.Max = 5
	cfg.Producer.Retry.Backoff = 20 * time.Millisecond
	cfg.Metadata.Retry.Backoff = 20 * time.Millisecond
	cfg.Consumer.MaxWaitTime = 50 * time.Millisecond
	return cfg
}

// Publish writes one order event keyed by the order id and returns its offset.
func Publish(producer sarama.SyncProducer, orderID, event string) (int64, error) {
	_, offset, err := producer.SendMessage(&sarama.ProducerMessage{
		Topic: Topic, Key: sarama.StringEncoder(orderID), Value: sarama.StringEncoder(event),
	})
	return offset, err
}
