// Package harness is what the Go client tests (tests/kafka/go/sarama, tests/kafka/go/kafkago)
// share: the addresses tests/kafka/go_clients_test.cc gives them as flags, waiting for a
// condition, and reading records back with the brook CLI.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

var (
	// Bootstrap is brook's Kafka listener, HOST:PORT.
	Bootstrap = flag.String("bootstrap", "", "brook's Kafka listener, HOST:PORT")
	// BrookBinary is the brook CLI, BrookBootstrap brook's own listener for it.
	BrookBinary    = flag.String("brook", "", "the brook CLI, to read records back")
	BrookBootstrap = flag.String("brook-bootstrap", "", "brook's own listener, HOST:PORT")
)

// Eventually calls cond every 50 ms until it returns nil, and returns nil; or, once `limit`
// has passed, cond's last error.
func Eventually(limit time.Duration, cond func() error) error {
	deadline := time.Now().Add(limit)
	for {
		err := cond()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Consumer is a test's consumer that counts the values it was given.
type Consumer interface {
	Values() map[string]int
}

// WaitForValues waits (30 s at most) until `consumers` together were given every one of
// `values`; otherwise it fails t.
func WaitForValues(t *testing.T, values []string, consumers ...Consumer) {
	t.Helper()
	err := Eventually(30*time.Second, func() error {
		counts := map[string]int{}
		for _, c := range consumers {
			for v, n := range c.Values() {
				counts[v] += n
			}
		}
		for _, v := range values {
			if counts[v] == 0 {
				return fmt.Errorf("%s not consumed (%d distinct values were)", v, len(counts))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Worker is a client's loop running in a goroutine until it is stopped (a group member, a
// reader), with the errors it met. Its methods may be called from any goroutine.
type Worker struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	errs   []error
}

// StartWorker runs loop in a goroutine; loop must return once ctx is done.
func StartWorker(loop func(ctx context.Context, w *Worker)) *Worker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &Worker{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		loop(ctx, w)
	}()
	return w
}

// Fail records an error the loop met.
func (w *Worker) Fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errs = append(w.errs, err)
}

// Stop cancels the loop, waits for it to return, then closes the client with closeClient;
// closeClient's error and every error recorded fail t.
func (w *Worker) Stop(t *testing.T, closeClient func() error) {
	t.Helper()
	w.cancel()
	<-w.done
	if err := closeClient(); err != nil {
		t.Errorf("closing: %v", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.errs) > 0 {
		t.Errorf("errors while running: %v", w.errs)
	}
}

// Header is one record header as `brook consume --json` prints it (in order, repeated keys kept).
type Header struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

// Record is one record as `brook consume --json` prints it.
type Record struct {
	Topic     string   `json:"topic"`
	Partition int32    `json:"partition"`
	Offset    int64    `json:"offset"`
	Timestamp int64    `json:"timestamp"`
	Key       *string  `json:"key"`
	Value     *string  `json:"value"`
	Headers   []Header `json:"headers"`
}

// SameHeader reports whether h is the header named key with the optional value want.
func SameHeader(h Header, key string, want *string) bool {
	return h.Key == key && SameStr(h.Value, want)
}

// Position names a record: its partition and offset.
type Position struct {
	Partition int32
	Offset    int64
}

// BrookConsume reads the first `count` records of every partition of `topic` with
// `brook consume --from-beginning --json` through brook's own protocol, by position.
// Errors: the CLI's exit status and stderr, or a line that is not a record.
func BrookConsume(topic string, count int) (map[Position]Record, error) {
	cmd := exec.Command(*BrookBinary, "consume", topic, "--bootstrap", *BrookBootstrap,
		"--from-beginning", "--count", strconv.Itoa(count), "--timeout-ms", "10000", "--json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("brook consume %s: %v: %s", topic, err, stderr.String())
	}
	records := map[Position]Record{}
	lines := bufio.NewScanner(bytes.NewReader(out))
	for lines.Scan() {
		var r Record
		if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("brook consume printed %q: %v", lines.Text(), err)
		}
		records[Position{r.Partition, r.Offset}] = r
	}
	if len(records) != count {
		return nil, fmt.Errorf("brook consume %s: %d records, want %d", topic, len(records), count)
	}
	return records, nil
}

// Str is the JSON form of an optional byte string: nil for nil.
func Str(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// Show prints an optional string: quoted, or null.
func Show(s *string) string {
	if s == nil {
		return "null"
	}
	return strconv.Quote(*s)
}

// SameStr reports whether two optional strings are equal.
func SameStr(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}
