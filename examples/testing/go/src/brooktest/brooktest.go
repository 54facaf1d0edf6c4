// Package brooktest runs a real brook broker for a Go test: Start spawns the brook binary
// in memory on free ports, waits for its ready line, and stops it when the test ends. The
// broker speaks Kafka, so any Go Kafka client (sarama, franz-go, kafka-go, confluent-kafka-go)
// connects to Broker.Kafka. Reset, AdvanceClock and AddFault drive the broker through the
// brook CLI.
//
// Copy this file into your project. It finds the binary in $BROOK_BINARY, else `brook` on PATH.
package brooktest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Broker is one running brook.
type Broker struct {
	Kafka  string // HOST:PORT of the Kafka listener: bootstrap.servers for Kafka clients.
	Native string // HOST:PORT of brook's own protocol (what the brook CLI talks to).
	binary string
	cmd    *exec.Cmd
	exited chan error
}

// Option changes how Start runs the broker.
type Option func(*[]string)

// ManualClock starts the broker with a clock that stands still until AdvanceClock.
func ManualClock() Option { return func(args *[]string) { *args = append(*args, "--clock", "manual") } }

// Flags passes more `brook serve` flags (e.g. "--topic-default", "retention.ms=60000").
func Flags(flags ...string) Option {
	return func(args *[]string) { *args = append(*args, flags...) }
}

// Binary is the brook binary tests run: $BROOK_BINARY, else `brook` on PATH.
func Binary() string {
	if b := os.Getenv("BROOK_BINARY"); b != "" {
		return b
	}
	return "brook"
}

// Start runs a fresh broker in memory (nothing on disk) on free ports and stops it when t
// ends. It fails t when the broker does not start within 10 s.
func Start(t testing.TB, options ...Option) *Broker {
	t.Helper()
	args := []string{"serve", "--in-memory", "--listen", "127.0.0.1:0",
		"--kafka-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--exit-with-parent", "--log-level", "warn"}
	for _, o := range options {
		o(&args)
	}
	b := &Broker{binary: Binary(), exited: make(chan error, 1)}
	b.cmd = exec.Command(b.binary, args...)
	b.cmd.Stderr = os.Stderr
	stdout, err := b.cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("brook: %v", err)
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("brook: cannot run %s: %v", b.binary, err)
	}
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err == nil {
			err = b.parseReady(line)
		}
		ready <- err
		b.exited <- b.cmd.Wait()
	}()
	select {
	case err = <-ready:
	case <-time.After(10 * time.Second):
		err = fmt.Errorf("not ready after 10 s")
	}
	if err != nil {
		_ = b.cmd.Process.Kill()
		t.Fatalf("brook did not start: %v", err)
	}
	t.Cleanup(func() { b.stop(t) })
	return b
}

// parseReady reads the addresses from brook's ready line (docs/testing.md).
func (b *Broker) parseReady(line string) error {
	var ready struct {
		Native string `json:"native"`
		Kafka  string `json:"kafka"`
	}
	if err := json.Unmarshal([]byte(line), &ready); err != nil {
		return fmt.Errorf("unexpected first line %q: %v", line, err)
	}
	b.Native, b.Kafka = ready.Native, ready.Kafka
	return nil
}

func (b *Broker) stop(t testing.TB) {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.exited:
		if err != nil {
			t.Errorf("brook exited with %v", err)
		}
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		t.Errorf("brook did not stop within 10 s of SIGTERM")
	}
}

// CLI runs `brook <args> --bootstrap <Native>` and returns its output; it fails t when the
// command fails.
func (b *Broker) CLI(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(b.binary, append(args, "--bootstrap", b.Native)...).CombinedOutput()
	if err != nil {
		t.Fatalf("brook %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Reset drops every topic, group, offset and armed fault: the broker is as new.
func (b *Broker) Reset(t testing.TB) {
	t.Helper()
	b.CLI(t, "reset", "--yes")
}

// AdvanceClock moves a ManualClock broker's clock forward by d: retention, session
// timeouts and everything else the broker times see d pass.
func (b *Broker) AdvanceClock(t testing.TB, d time.Duration) {
	t.Helper()
	b.CLI(t, "clock", "advance", fmt.Sprintf("%dms", d.Milliseconds()))
}

// AddFault arms a fault (`brook fault add` flags, e.g. "--api", "Produce", "--error",
// "NOT_LEADER_OR_FOLLOWER", "--count", "2").
func (b *Broker) AddFault(t testing.TB, flags ...string) {
	t.Helper()
	b.CLI(t, append([]string{"fault", "add"}, flags...)...)
}

// Fault is one armed fault rule as `brook fault list --json` shows it.
type Fault struct {
	ID        int    `json:"id"`
	API       string `json:"api"`
	Action    string `json:"action"`
	Error     string `json:"error"`
	Remaining int    `json:"remaining"`
	Matched   int    `json:"matched"`
	Fired     int    `json:"fired"`
}

// Faults lists the armed faults with how often each fired.
func (b *Broker) Faults(t testing.TB) []Fault {
	t.Helper()
	var faults []Fault
	for _, line := range strings.Split(strings.TrimSpace(b.CLI(t, "fault", "list", "--json")), "\n") {
		if line == "" {
			continue
		}
		var f Fault
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("brook fault list --json: %v in %q", err, line)
		}
		faults = append(faults, f)
	}
	return faults
}
