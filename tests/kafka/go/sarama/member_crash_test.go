package sarama_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"brooktest/harness"

	"github.com/Shopify/sarama"
)

// childMemberEnv, "GROUP/TOPIC", makes this test binary a group member that runs until it is
// killed (see TestConsumerGroupMemberKilled), or until its parent dies (its stdin closes).
const childMemberEnv = "BROOK_SARAMA_CHILD_MEMBER"

func TestMain(m *testing.M) {
	flag.Parse()
	if spec := os.Getenv(childMemberEnv); spec != "" {
		groupID, topic, _ := strings.Cut(spec, "/")
		group, err := sarama.NewConsumerGroup(brokers(), groupID, groupConfig(sarama.BalanceStrategyRange))
		if err != nil {
			os.Exit(2)
		}
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
		handler := &member{topic: topic}
		for {
			_ = group.Consume(context.Background(), []string{topic}, handler)
		}
	}
	os.Exit(m.Run())
}

// A member that dies without leaving (kill -9) loses its partitions when its session times
// out, and the other member takes them over.
func TestConsumerGroupMemberKilled(t *testing.T) {
	const topic, groupID = "sarama-group-killed", "sarama-killed"
	createTopic(t, topic, 4)
	child := exec.Command(os.Args[0], "-bootstrap", *harness.Bootstrap)
	child.Env = append(os.Environ(), childMemberEnv+"="+groupID+"/"+topic)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatalf("StdinPipe: %v", err)
	}
	defer stdin.Close()
	if err := child.Start(); err != nil {
		t.Fatalf("starting the child member: %v", err)
	}
	defer child.Process.Kill()
	a := startMember(t, groupID, topic, sarama.BalanceStrategyRange)
	defer a.stop(t)
	admin := newAdmin(t)
	defer admin.Close()
	members := func() int {
		described, err := admin.DescribeConsumerGroups([]string{groupID})
		if err != nil || len(described) != 1 {
			t.Fatalf("DescribeConsumerGroups: %v %v", described, err)
		}
		return len(described[0].Members)
	}
	err = harness.Eventually(30*time.Second, func() error {
		a.mu.Lock()
		defer a.mu.Unlock()
		if len(a.claims) != 2 || members() != 2 {
			return fmt.Errorf("partitions %v", a.claims)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the two members did not split the partitions: %v", err)
	}
	child.Process.Kill()
	child.Wait()
	killed := time.Now()
	settled(t, 4, a)
	if members() != 1 {
		t.Errorf("the group still has %d members", members())
	}
	// The session timeout is 6 s: not before (the broker waited for the session to expire).
	if waited := time.Since(killed); waited < 5*time.Second {
		t.Errorf("partitions moved %v after the kill, before the session timed out", waited)
	}
}
