package kafkago_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"brooktest/harness"

	"github.com/segmentio/kafka-go"
)

// A Reader outside any group: from an offset, its lag, and from the log end.
func TestReaderFromOffset(t *testing.T) {
	const topic = "kafkago-reader-offset"
	createTopic(t, topic, 1)
	msgs := keyed(20)
	write(t, topic, nil, msgs)
	for i, m := range readPartition(t, topic, 0, 7, 13) {
		if m.Offset != int64(7+i) {
			t.Fatalf("read offset %d, want %d", m.Offset, 7+i)
		}
		if diff := sameMessage(m, msgs[7+i]); diff != "" {
			t.Errorf("offset %d: %s", m.Offset, diff)
		}
	}

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{*harness.Bootstrap}, Topic: topic,
		MaxWait: 100 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.SetOffset(18); err != nil {
		t.Fatalf("SetOffset: %v", err)
	}
	if lag, err := r.ReadLag(ctx); err != nil || lag != 2 {
		t.Errorf("ReadLag at 18: %d %v", lag, err)
	}
	for want := int64(18); want < 20; want++ {
		if m, err := r.ReadMessage(ctx); err != nil || m.Offset != want {
			t.Fatalf("ReadMessage: offset %d %v, want %d", m.Offset, err, want)
		}
	}
	if lag := r.Lag(); lag != 0 {
		t.Errorf("Lag after the last message: %d", lag)
	}

	// From the end: only what is written after.
	tail := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{*harness.Bootstrap}, Topic: topic,
		MaxWait: 100 * time.Millisecond})
	defer tail.Close()
	if err := tail.SetOffset(kafka.LastOffset); err != nil {
		t.Fatalf("SetOffset(LastOffset): %v", err)
	}
	next := make(chan kafka.Message, 1)
	go func() {
		if m, err := tail.ReadMessage(ctx); err == nil {
			next <- m
		}
		close(next)
	}()
	// Once the reader fetches, it has looked up the end (20) and waits there.
	err := harness.Eventually(20*time.Second, func() error {
		if s := tail.Stats(); s.Fetches == 0 || s.Offset != 20 {
			return fmt.Errorf("the reader has not fetched from offset 20 yet")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	write(t, topic, nil, []kafka.Message{{Value: []byte("after")}})
	if m := <-next; m.Offset != 20 || string(m.Value) != "after" {
		t.Errorf("from the end, read offset %d %q", m.Offset, m.Value)
	}
}

// groupReader is a Reader in a consumer group, fetching and committing (synchronously) one
// message at a time in the background; it keeps what it read by partition.
type groupReader struct {
	r      *kafka.Reader
	worker *harness.Worker

	mu   sync.Mutex
	read map[int][]string // committed values, by partition
}

func startGroupReader(groupID, topic string) *groupReader {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{*harness.Bootstrap}, GroupID: groupID, Topic: topic,
		MaxWait: 100 * time.Millisecond, HeartbeatInterval: 100 * time.Millisecond, SessionTimeout: 6 * time.Second,
		RebalanceTimeout: 10 * time.Second})
	g := &groupReader{r: r, read: map[int][]string{}}
	g.worker = harness.StartWorker(func(ctx context.Context, w *harness.Worker) {
		for {
			m, err := r.FetchMessage(ctx)
			if err == nil {
				err = r.CommitMessages(ctx, m)
			}
			if err != nil {
				if ctx.Err() == nil {
					w.Fail(err)
				}
				return
			}
			g.mu.Lock()
			g.read[m.Partition] = append(g.read[m.Partition], string(m.Value))
			g.mu.Unlock()
		}
	})
	return g
}

// Values counts the values the reader read (and committed).
func (g *groupReader) Values() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	seen := map[string]int{}
	for _, vs := range g.read {
		for _, v := range vs {
			seen[v]++
		}
	}
	return seen
}

// stop stops reading (when everything written was read: nothing is in flight) and leaves
// the group.
func (g *groupReader) stop(t *testing.T) {
	t.Helper()
	g.worker.Stop(t, g.r.Close)
}

// partitionsOf is, for each reader, the partitions from which it read one of `values`.
func partitionsOf(values []string, readers ...*groupReader) [][]int {
	wanted := map[string]bool{}
	for _, v := range values {
		wanted[v] = true
	}
	var out [][]int
	for _, g := range readers {
		var ps []int
		g.mu.Lock()
		for p, vs := range g.read {
			for _, v := range vs {
				if wanted[v] {
					ps = append(ps, p)
					break
				}
			}
		}
		g.mu.Unlock()
		sort.Ints(ps)
		out = append(out, ps)
	}
	return out
}

// writeRound writes 2 messages to each of the 4 partitions, values "<prefix>-<round>-<i>".
func writeRound(t *testing.T, topic, prefix string, round int) []string {
	t.Helper()
	var values []string
	var msgs []kafka.Message
	for i := 0; i < 8; i++ {
		values = append(values, fmt.Sprintf("%s-%d-%d", prefix, round, i))
		msgs = append(msgs, kafka.Message{Value: []byte(values[i])})
	}
	write(t, topic, nil, msgs)
	return values
}

// untilSplit writes rounds until one is read by `readers` so that each read from its own
// partitions, none empty, all four covered (the group has settled), at most 100 rounds.
func untilSplit(t *testing.T, topic, prefix string, readers ...*groupReader) {
	t.Helper()
	var consumers []harness.Consumer
	for _, g := range readers {
		consumers = append(consumers, g)
	}
	var split [][]int
	for round := 0; round < 100; round++ {
		values := writeRound(t, topic, prefix, round)
		harness.WaitForValues(t, values, consumers...)
		split = partitionsOf(values, readers...)
		owner := map[int]bool{}
		ok := true
		for _, ps := range split {
			ok = ok && len(ps) > 0
			for _, p := range ps {
				ok = ok && !owner[p]
				owner[p] = true
			}
		}
		if ok && len(owner) == 4 {
			return
		}
	}
	t.Fatalf("%d readers never split the partitions: last %v", len(readers), split)
}

// Readers with a GroupID split the partitions, take over a leaving reader's, and a reader
// of the restarted group resumes after the group's commits.
func TestReaderGroup(t *testing.T) {
	const topic, groupID = "kafkago-group", "kafkago-group"
	createTopic(t, topic, 4)
	a := startGroupReader(groupID, topic)
	b := startGroupReader(groupID, topic)
	untilSplit(t, topic, "ab", a, b)
	b.stop(t)
	untilSplit(t, topic, "a", a)
	a.stop(t)

	last := writeRound(t, topic, "last", 0)
	c := startGroupReader(groupID, topic)
	harness.WaitForValues(t, last, c)
	c.stop(t)
	var read []string
	for _, vs := range c.read {
		read = append(read, vs...)
	}
	sort.Strings(read)
	if fmt.Sprint(read) != fmt.Sprint(last) {
		t.Errorf("after the restart the group read %v, want only %v", read, last)
	}
}
