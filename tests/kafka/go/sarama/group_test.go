package sarama_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"brooktest/harness"

	"github.com/Shopify/sarama"
)

// member is one sarama ConsumerGroup member consuming one topic in the background: it keeps
// its latest session's partitions and every message it was given, and marks each consumed
// (sarama commits marks every 100 ms here, and when a session ends).
type member struct {
	topic  string
	group  sarama.ConsumerGroup
	worker *harness.Worker

	mu         sync.Mutex
	generation int32
	claims     []int32 // nil between sessions
	messages   []*sarama.ConsumerMessage
}

func groupConfig(strategy sarama.BalanceStrategy) *sarama.Config {
	cfg := newConfig(sarama.MaxVersion)
	cfg.Consumer.Group.Rebalance.Strategy = strategy
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second
	cfg.Consumer.Group.Heartbeat.Interval = 100 * time.Millisecond
	cfg.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	return cfg
}

func startMember(t *testing.T, groupID, topic string, strategy sarama.BalanceStrategy) *member {
	t.Helper()
	group, err := sarama.NewConsumerGroup(brokers(), groupID, groupConfig(strategy))
	if err != nil {
		t.Fatalf("NewConsumerGroup %s: %v", groupID, err)
	}
	m := &member{topic: topic, group: group}
	m.worker = harness.StartWorker(func(ctx context.Context, w *harness.Worker) {
		go func() {
			for e := range group.Errors() {
				w.Fail(e)
			}
		}()
		for ctx.Err() == nil {
			if err := group.Consume(ctx, []string{topic}, m); err != nil && ctx.Err() == nil {
				w.Fail(err)
				time.Sleep(100 * time.Millisecond)
			}
		}
	})
	return m
}

func (m *member) Setup(s sarama.ConsumerGroupSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.generation = s.GenerationID()
	m.claims = append([]int32{}, s.Claims()[m.topic]...)
	sort.Slice(m.claims, func(i, j int) bool { return m.claims[i] < m.claims[j] })
	return nil
}

func (m *member) Cleanup(sarama.ConsumerGroupSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.claims = nil
	return nil
}

func (m *member) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for msg := range claim.Messages() {
		m.mu.Lock()
		m.messages = append(m.messages, msg)
		m.mu.Unlock()
		s.MarkMessage(msg, "")
	}
	return nil
}

// stop ends the member's session (its marks are committed) and leaves the group.
func (m *member) stop(t *testing.T) {
	t.Helper()
	m.worker.Stop(t, m.group.Close)
}

// Values counts the values of the messages the member was given.
func (m *member) Values() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[string]int{}
	for _, msg := range m.messages {
		seen[string(msg.Value)]++
	}
	return seen
}

// settled waits until `members` hold sessions of one generation whose partitions are
// disjoint, none empty, and together are 0..partitions-1; it returns each one's partitions.
func settled(t *testing.T, partitions int32, members ...*member) [][]int32 {
	t.Helper()
	var claims [][]int32
	err := harness.Eventually(30*time.Second, func() error {
		claims = nil
		generations := map[int32]bool{}
		owner := map[int32]int{}
		for i, m := range members {
			m.mu.Lock()
			claims = append(claims, m.claims)
			generations[m.generation] = true
			m.mu.Unlock()
			if len(claims[i]) == 0 {
				return fmt.Errorf("member %d has no partitions: %v", i, claims)
			}
			for _, p := range claims[i] {
				if other, taken := owner[p]; taken {
					return fmt.Errorf("partition %d held by members %d and %d", p, other, i)
				}
				owner[p] = i
			}
		}
		if len(generations) != 1 || int32(len(owner)) != partitions {
			return fmt.Errorf("generations %v, partitions %v", generations, claims)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the group did not settle: %v", err)
	}
	return claims
}

// produceValues writes one message per value, spread over the topic's partitions round-robin,
// and waits for each to be written.
func produceValues(t *testing.T, topic string, values []string) {
	t.Helper()
	cfg := newConfig(sarama.MaxVersion)
	cfg.Producer.Partitioner = sarama.NewRoundRobinPartitioner
	producer, err := sarama.NewSyncProducer(brokers(), cfg)
	if err != nil {
		t.Fatalf("NewSyncProducer: %v", err)
	}
	defer producer.Close()
	var msgs []*sarama.ProducerMessage
	for _, v := range values {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(v)})
	}
	if err := producer.SendMessages(msgs); err != nil {
		t.Fatalf("SendMessages: %v", err)
	}
}

func numbered(prefix string, from, to int) []string {
	var values []string
	for i := from; i < to; i++ {
		values = append(values, fmt.Sprintf("%s-%d", prefix, i))
	}
	return values
}

// committedLag is, per partition, the log end offset minus the group's committed offset
// (ListConsumerGroupOffsets), or an error if the group has no commit for a partition.
func committedLag(t *testing.T, groupID, topic string) (map[int32]int64, error) {
	t.Helper()
	admin := newAdmin(t)
	defer admin.Close()
	marks := highWaterMarks(t, topic)
	var partitions []int32
	for p := range marks {
		partitions = append(partitions, p)
	}
	offsets, err := admin.ListConsumerGroupOffsets(groupID, map[string][]int32{topic: partitions})
	if err != nil {
		return nil, err
	}
	lag := map[int32]int64{}
	for p, end := range marks {
		block := offsets.GetBlock(topic, p)
		if block == nil || block.Err != sarama.ErrNoError || block.Offset < 0 {
			return nil, fmt.Errorf("no commit for %s/%d: %+v", topic, p, block)
		}
		lag[p] = end - block.Offset
	}
	return lag, nil
}

func waitLagZero(t *testing.T, groupID, topic string) {
	t.Helper()
	err := harness.Eventually(20*time.Second, func() error {
		lag, err := committedLag(t, groupID, topic)
		if err != nil {
			return err
		}
		for p, l := range lag {
			if l != 0 {
				return fmt.Errorf("lag %v (partition %d)", lag, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("group %s: %v", groupID, err)
	}
}

// consumeAlone starts the only member of `groupID` and waits until it owns the topic's
// `partitions`, was given every one of `values`, and committed them all.
func consumeAlone(t *testing.T, groupID, topic string, partitions int32, values []string) *member {
	t.Helper()
	m := startMember(t, groupID, topic, sarama.BalanceStrategyRange)
	settled(t, partitions, m)
	harness.WaitForValues(t, values, m)
	waitLagZero(t, groupID, topic)
	return m
}

// Two members split four partitions as the strategy assigns them; a third joining takes its
// share; a member that leaves hands its partitions over; commits bring the lag to 0 and a
// member of the restarted group resumes after them.
func TestConsumerGroup(t *testing.T) {
	strategies := []struct {
		strategy sarama.BalanceStrategy
		// shape checks a two-member assignment of partitions 0-3 as the strategy makes it.
		shape func(claims []int32) bool
	}{
		{sarama.BalanceStrategyRange, func(c []int32) bool { return len(c) == 2 && c[1] == c[0]+1 }},
		{sarama.BalanceStrategyRoundRobin, func(c []int32) bool { return len(c) == 2 && c[1] == c[0]+2 }},
	}
	for _, s := range strategies {
		t.Run(s.strategy.Name(), func(t *testing.T) {
			topic := "sarama-group-" + s.strategy.Name()
			groupID := "sarama-" + s.strategy.Name()
			createTopic(t, topic, 4)
			first := numbered("first", 0, 40)
			produceValues(t, topic, first)

			a := startMember(t, groupID, topic, s.strategy)
			b := startMember(t, groupID, topic, s.strategy)
			for _, claims := range settled(t, 4, a, b) {
				if !s.shape(claims) {
					t.Errorf("%s assigned %v", s.strategy.Name(), claims)
				}
			}
			harness.WaitForValues(t, first, a, b)
			waitLagZero(t, groupID, topic)

			c := startMember(t, groupID, topic, s.strategy)
			settled(t, 4, a, b, c)
			b.stop(t)
			settled(t, 4, a, c)
			second := numbered("second", 0, 20)
			produceValues(t, topic, second)
			harness.WaitForValues(t, second, a, c)
			waitLagZero(t, groupID, topic)
			a.stop(t)
			c.stop(t)

			// The group restarts from its commits: only what came after is consumed.
			third := numbered("third", 0, 8)
			produceValues(t, topic, third)
			d := consumeAlone(t, groupID, topic, 4, third)
			d.stop(t)
			for v, n := range d.Values() {
				if n != 1 || len(v) < 5 || v[:5] != "third" {
					t.Errorf("after the restart, %s was consumed %d times", v, n)
				}
			}
		})
	}
}
