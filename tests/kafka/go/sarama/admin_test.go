package sarama_test

import (
	"testing"

	"github.com/Shopify/sarama"
)

// Kafka's BROKER config resource type; sarama 1.22.1's BrokerResource (5) is not it.
const kafkaBrokerResource sarama.ConfigResourceType = 4

func strp(s string) *string { return &s }

func configValues(entries []sarama.ConfigEntry) map[string]sarama.ConfigEntry {
	m := map[string]sarama.ConfigEntry{}
	for _, e := range entries {
		m[e.Name] = e
	}
	return m
}

func describeTopicConfig(t *testing.T, admin sarama.ClusterAdmin, topic string, names ...string) map[string]sarama.ConfigEntry {
	t.Helper()
	entries, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: topic, ConfigNames: names})
	if err != nil {
		t.Fatalf("DescribeConfig %s: %v", topic, err)
	}
	return configValues(entries)
}

// Topics through ClusterAdmin: create (with configs, validate-only, already there, an unknown
// config), list, describe, the configs' values and sources, alter, the cluster, delete.
// sarama 1.22.1 has no IncrementalAlterConfig (nor CreatePartitions' and DeleteRecords'
// counterparts in brook yet): they are not checked here.
func TestClusterAdminTopics(t *testing.T) {
	admin := newAdmin(t)
	defer admin.Close()
	const topic = "sarama-admin"
	detail := &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1, ConfigEntries: map[string]*string{
		"retention.ms": strp("3600000"), "cleanup.policy": strp("compact")}}
	if err := admin.CreateTopic(topic, detail, true); err != nil {
		t.Fatalf("CreateTopic validate-only: %v", err)
	}
	if topics, err := admin.ListTopics(); err != nil || topics[topic].NumPartitions != 0 {
		t.Fatalf("validate-only created the topic: %v %v", topics[topic], err)
	}
	if err := admin.CreateTopic(topic, detail, false); err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	if err := admin.CreateTopic(topic, detail, false); err == nil || err.(*sarama.TopicError).Err != sarama.ErrTopicAlreadyExists {
		t.Errorf("CreateTopic again: %v, want %v", err, sarama.ErrTopicAlreadyExists)
	}
	unknown := &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1, ConfigEntries: map[string]*string{"no.such.config": strp("1")}}
	if err := admin.CreateTopic("sarama-bad-config", unknown, false); err == nil || err.(*sarama.TopicError).Err != sarama.ErrInvalidConfig {
		t.Errorf("CreateTopic with an unknown config: %v, want %v", err, sarama.ErrInvalidConfig)
	}

	// ListTopics: partitions, replicas, and the configs that are not defaults (DescribeConfigs v0).
	topics, err := admin.ListTopics()
	if err != nil {
		t.Fatalf("ListTopics: %v", err)
	}
	listed := topics[topic]
	if listed.NumPartitions != 3 || listed.ReplicationFactor != 1 || len(listed.ConfigEntries) != 2 ||
		*listed.ConfigEntries["retention.ms"] != "3600000" || *listed.ConfigEntries["cleanup.policy"] != "compact" {
		t.Errorf("ListTopics: %+v", listed)
	}
	if _, there := topics["sarama-bad-config"]; there {
		t.Errorf("a refused CreateTopic created its topic")
	}

	metadata, err := admin.DescribeTopics([]string{topic, "sarama-missing"})
	if err != nil || len(metadata) != 2 {
		t.Fatalf("DescribeTopics: %v %v", metadata, err)
	}
	for _, m := range metadata {
		switch m.Name {
		case topic:
			if m.Err != sarama.ErrNoError || len(m.Partitions) != 3 {
				t.Errorf("DescribeTopics %s: %+v", topic, m)
			}
			for _, p := range m.Partitions {
				if p.Leader != 1 || len(p.Replicas) != 1 || p.Replicas[0] != 1 || len(p.Isr) != 1 || p.Isr[0] != 1 {
					t.Errorf("partition %+v: brook is node 1, the leader and only replica", p)
				}
			}
		case "sarama-missing":
			if m.Err != sarama.ErrUnknownTopicOrPartition {
				t.Errorf("DescribeTopics of a missing topic: %v", m.Err)
			}
		}
	}
	if topics, _ := admin.ListTopics(); topics["sarama-missing"].NumPartitions != 0 {
		t.Errorf("DescribeTopics (no auto-creation) created a topic")
	}

	// DescribeConfig (v0): every setting, is_default false for the topic's own.
	configs := describeTopicConfig(t, admin, topic)
	if e := configs["retention.ms"]; e.Value != "3600000" || e.Default || e.ReadOnly {
		t.Errorf("retention.ms: %+v", e)
	}
	if e, there := configs["segment.bytes"]; !there || !e.Default {
		t.Errorf("segment.bytes: %+v", e)
	}
	if only := describeTopicConfig(t, admin, topic, "retention.ms"); len(only) != 1 {
		t.Errorf("DescribeConfig of one name: %v", only)
	}
	// DescribeConfigs v1 through the controller: sources and synonyms.
	client, err := sarama.NewClient(brokers(), newConfig(sarama.MaxVersion))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer client.Close()
	controller, err := client.Controller()
	if err != nil {
		t.Fatalf("Controller: %v", err)
	}
	v1, err := controller.DescribeConfigs(&sarama.DescribeConfigsRequest{Version: 1, IncludeSynonyms: true,
		Resources: []*sarama.ConfigResource{{Type: sarama.TopicResource, Name: topic}}})
	if err != nil || len(v1.Resources) != 1 {
		t.Fatalf("DescribeConfigs v1: %v %v", v1, err)
	}
	for _, e := range v1.Resources[0].Configs {
		want := sarama.SourceDefault
		if e.Name == "retention.ms" || e.Name == "cleanup.policy" {
			want = sarama.SourceTopic
		}
		// Synonyms: the topic's value (where it sets one), then the default.
		last := len(e.Synonyms) - 1
		if e.Source != want || last < 0 || e.Synonyms[0].Source != want || e.Synonyms[last].Source != sarama.SourceDefault {
			t.Errorf("DescribeConfigs v1 %s: source %v synonyms %v, want source %v", e.Name, e.Source, e.Synonyms, want)
		}
	}
	// sarama 1.22's BrokerResource is 5, which Kafka does not know (its BROKER is 4, as in
	// later sarama): an error, as from Kafka. With 4, the broker's settings.
	if _, err := admin.DescribeConfig(sarama.ConfigResource{Type: sarama.BrokerResource, Name: "1"}); err == nil {
		t.Errorf("DescribeConfig of resource type %d succeeded", sarama.BrokerResource)
	}
	broker, err := admin.DescribeConfig(sarama.ConfigResource{Type: kafkaBrokerResource, Name: "1"})
	if err != nil || len(broker) == 0 {
		t.Errorf("DescribeConfig of broker 1: %v %v", broker, err)
	}
	for _, e := range broker {
		if !e.ReadOnly {
			t.Errorf("broker setting %s is not read-only", e.Name)
		}
	}

	// AlterConfig replaces the topic's whole set: cleanup.policy goes back to its default.
	if err := admin.AlterConfig(sarama.TopicResource, topic, map[string]*string{"retention.ms": strp("7200000")}, true); err != nil {
		t.Fatalf("AlterConfig validate-only: %v", err)
	}
	if e := describeTopicConfig(t, admin, topic, "retention.ms")["retention.ms"]; e.Value != "3600000" {
		t.Errorf("validate-only AlterConfig changed retention.ms to %s", e.Value)
	}
	if err := admin.AlterConfig(sarama.TopicResource, topic, map[string]*string{"retention.ms": strp("7200000")}, false); err != nil {
		t.Fatalf("AlterConfig: %v", err)
	}
	configs = describeTopicConfig(t, admin, topic)
	if configs["retention.ms"].Value != "7200000" || !configs["cleanup.policy"].Default || configs["cleanup.policy"].Value != "delete" {
		t.Errorf("after AlterConfig: retention.ms %+v, cleanup.policy %+v", configs["retention.ms"], configs["cleanup.policy"])
	}
	if err := admin.AlterConfig(sarama.TopicResource, topic, map[string]*string{"retention.ms": strp("soon")}, false); err == nil {
		t.Errorf("AlterConfig retention.ms=soon succeeded")
	}
	if err := admin.AlterConfig(kafkaBrokerResource, "1", map[string]*string{"num.partitions": strp("4")}, false); err == nil {
		t.Errorf("AlterConfig of the broker succeeded")
	}

	// sarama 1.22's DescribeCluster sends Metadata v0, which has no controller id (sarama
	// reports -1); its client finds the controller with Metadata v1+.
	nodes, _, err := admin.DescribeCluster()
	if err != nil || len(nodes) != 1 || nodes[0].ID() != 1 || nodes[0].Addr() != brokers()[0] {
		t.Errorf("DescribeCluster: %v, %v", nodes, err)
	}
	if c, err := client.Controller(); err != nil || c.ID() != 1 || c.Addr() != brokers()[0] {
		t.Errorf("Controller: %v %v", c, err)
	}

	if err := admin.DeleteTopic(topic); err != nil {
		t.Fatalf("DeleteTopic: %v", err)
	}
	if topics, _ := admin.ListTopics(); topics[topic].NumPartitions != 0 {
		t.Errorf("ListTopics after DeleteTopic: %+v", topics[topic])
	}
	if err := admin.DeleteTopic(topic); err != sarama.ErrUnknownTopicOrPartition {
		t.Errorf("DeleteTopic again: %v, want %v", err, sarama.ErrUnknownTopicOrPartition)
	}
}

// deleteGroup sends DeleteGroups to the group's coordinator (sarama 1.22.1's ClusterAdmin
// has no DeleteConsumerGroup; its Broker has the request).
func deleteGroup(t *testing.T, client sarama.Client, groupID string) sarama.KError {
	t.Helper()
	coordinator, err := client.Coordinator(groupID)
	if err != nil {
		t.Fatalf("Coordinator %s: %v", groupID, err)
	}
	response, err := coordinator.DeleteGroups(&sarama.DeleteGroupsRequest{Groups: []string{groupID}})
	if err != nil {
		t.Fatalf("DeleteGroups: %v", err)
	}
	return response.GroupErrorCodes[groupID]
}

// Groups through ClusterAdmin: list, describe (state, protocol, members with their metadata
// and assignment), committed offsets, and deleting the group once it is empty.
func TestClusterAdminGroups(t *testing.T) {
	const topic, groupID = "sarama-admin-groups", "sarama-admin-group"
	createTopic(t, topic, 2)
	values := numbered("v", 0, 10)
	produceValues(t, topic, values)
	m := consumeAlone(t, groupID, topic, 2, values)

	admin := newAdmin(t)
	defer admin.Close()
	groups, err := admin.ListConsumerGroups()
	if err != nil || groups[groupID] != "consumer" {
		t.Errorf("ListConsumerGroups: %v %v", groups, err)
	}
	described, err := admin.DescribeConsumerGroups([]string{groupID})
	if err != nil || len(described) != 1 {
		t.Fatalf("DescribeConsumerGroups: %v %v", described, err)
	}
	g := described[0]
	if g.Err != sarama.ErrNoError || g.State != "Stable" || g.ProtocolType != "consumer" || g.Protocol != "range" || len(g.Members) != 1 {
		t.Errorf("DescribeConsumerGroups: %+v", g)
	}
	for _, desc := range g.Members {
		metadata, err := desc.GetMemberMetadata()
		if err != nil || len(metadata.Topics) != 1 || metadata.Topics[0] != topic {
			t.Errorf("member metadata: %+v %v", metadata, err)
		}
		assignment, err := desc.GetMemberAssignment()
		if err != nil || len(assignment.Topics[topic]) != 2 {
			t.Errorf("member assignment: %+v %v", assignment, err)
		}
		if desc.ClientId != "brook-sarama-test" || desc.ClientHost == "" {
			t.Errorf("member: client id %q host %q", desc.ClientId, desc.ClientHost)
		}
	}
	offsets, err := admin.ListConsumerGroupOffsets(groupID, map[string][]int32{topic: {0, 1}})
	if err != nil {
		t.Fatalf("ListConsumerGroupOffsets: %v", err)
	}
	if a, b := offsets.GetBlock(topic, 0), offsets.GetBlock(topic, 1); a == nil || b == nil || a.Offset+b.Offset != 10 {
		t.Errorf("committed offsets %+v %+v, want 10 in all", a, b)
	}

	client, err := sarama.NewClient(brokers(), newConfig(sarama.MaxVersion))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer client.Close()
	if e := deleteGroup(t, client, groupID); e != sarama.ErrNonEmptyGroup {
		t.Errorf("DeleteGroups of a group with a member: %v, want %v", e, sarama.ErrNonEmptyGroup)
	}
	m.stop(t)
	if e := deleteGroup(t, client, groupID); e != sarama.ErrNoError {
		t.Errorf("DeleteGroups: %v", e)
	}
	if groups, err := admin.ListConsumerGroups(); err != nil || groups[groupID] != "" {
		t.Errorf("ListConsumerGroups after DeleteGroups: %v %v", groups, err)
	}
	offsets, err = admin.ListConsumerGroupOffsets(groupID, map[string][]int32{topic: {0}})
	if err != nil || offsets.GetBlock(topic, 0) == nil || offsets.GetBlock(topic, 0).Offset != -1 {
		t.Errorf("committed offsets after DeleteGroups: %+v %v", offsets, err)
	}
	if e := deleteGroup(t, client, groupID); e != sarama.ErrGroupIDNotFound {
		t.Errorf("DeleteGroups again: %v, want %v", e, sarama.ErrGroupIDNotFound)
	}
}
