package sarama_test

import (
	"testing"

	"github.com/Shopify/sarama"
)

// Kafka's error codes where sarama's own checks do not get in the way (its Broker API sends
// the request as built): offsets out of range and unknown partitions at every Fetch version it
// has, an unknown partition in OffsetCommit, and the group coordinator's refusals.
func TestErrorCodes(t *testing.T) {
	const topic = "sarama-errors"
	createTopic(t, topic, 1)
	produceValues(t, topic, numbered("e", 0, 5))
	client, err := sarama.NewClient(brokers(), newConfig(sarama.MaxVersion))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer client.Close()
	leader, err := client.Leader(topic, 0)
	if err != nil {
		t.Fatalf("Leader: %v", err)
	}
	for v := int16(0); v <= 4; v++ {
		request := &sarama.FetchRequest{Version: v, MaxWaitTime: 10, MinBytes: 1}
		request.AddBlock(topic, 0, 1000, 1<<20)
		request.AddBlock(topic, 3, 0, 1<<20)
		response, err := leader.Fetch(request)
		if err != nil {
			t.Fatalf("Fetch v%d: %v", v, err)
		}
		if b := response.GetBlock(topic, 0); b == nil || b.Err != sarama.ErrOffsetOutOfRange || b.HighWaterMarkOffset != 5 {
			t.Errorf("Fetch v%d at offset 1000: %+v", v, b)
		}
		if b := response.GetBlock(topic, 3); b == nil || b.Err != sarama.ErrUnknownTopicOrPartition {
			t.Errorf("Fetch v%d of partition 3: %+v", v, b)
		}
	}

	coordinator, err := client.Coordinator("sarama-errors-group")
	if err != nil {
		t.Fatalf("Coordinator: %v", err)
	}
	commit := &sarama.OffsetCommitRequest{Version: 2, ConsumerGroup: "sarama-errors-group",
		ConsumerGroupGeneration: -1, RetentionTime: -1}
	commit.AddBlock(topic, 0, 3, 0, "")
	commit.AddBlock(topic, 7, 3, 0, "")
	committed, err := coordinator.CommitOffset(commit)
	if err != nil {
		t.Fatalf("OffsetCommit: %v", err)
	}
	if e := committed.Errors[topic][0]; e != sarama.ErrNoError {
		t.Errorf("OffsetCommit of partition 0: %v", e)
	}
	if e := committed.Errors[topic][7]; e != sarama.ErrUnknownTopicOrPartition {
		t.Errorf("OffsetCommit of partition 7: %v", e)
	}

	described, err := coordinator.DescribeGroups(&sarama.DescribeGroupsRequest{Groups: []string{"sarama-no-such-group"}})
	if err != nil || len(described.Groups) != 1 {
		t.Fatalf("DescribeGroups: %v %v", described, err)
	}
	if g := described.Groups[0]; g.Err != sarama.ErrNoError || g.State != "Dead" || len(g.Members) != 0 {
		t.Errorf("DescribeGroups (v0) of an unknown group: %+v, want state Dead", g)
	}
	heartbeat, err := coordinator.Heartbeat(&sarama.HeartbeatRequest{GroupId: "sarama-no-such-group", GenerationId: 1, MemberId: "m"})
	if err != nil || heartbeat.Err != sarama.ErrUnknownMemberId {
		t.Errorf("Heartbeat to an unknown group: %v %v", heartbeat, err)
	}
	join := func(group string, sessionMs int32) sarama.KError {
		request := &sarama.JoinGroupRequest{GroupId: group, SessionTimeout: sessionMs, ProtocolType: "consumer"}
		if err := request.AddGroupProtocolMetadata("range", &sarama.ConsumerGroupMemberMetadata{Topics: []string{topic}}); err != nil {
			t.Fatalf("AddGroupProtocolMetadata: %v", err)
		}
		response, err := coordinator.JoinGroup(request)
		if err != nil {
			t.Fatalf("JoinGroup: %v", err)
		}
		return response.Err
	}
	if e := join("sarama-errors-join", 1); e != sarama.ErrInvalidSessionTimeout {
		t.Errorf("JoinGroup with a 1 ms session: %v", e)
	}
	if e := join("", 10000); e != sarama.ErrInvalidGroupId {
		t.Errorf("JoinGroup with no group id: %v", e)
	}
}
