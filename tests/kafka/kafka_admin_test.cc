// The Kafka listener's CreatePartitions, DeleteRecords and OffsetDelete at the frame level:
// every served version, and the errors real clients see (tests/kafka/rdkafka_admin_test.cc
// runs librdkafka's admin API against them).
#include <doctest/doctest.h>

#include <string>

#include "broker/embedded_broker.h"
#include "protocol/consumer_protocol.h"
#include "protocol/kafka/messages/delete_records.h"
#include "protocol/kafka/messages/fetch.h"
#include "protocol/kafka/messages/groups.h"
#include "protocol/kafka/messages/list_offsets.h"
#include "protocol/kafka/messages/metadata.h"
#include "protocol/kafka/messages/offsets.h"
#include "protocol/kafka/messages/produce.h"
#include "protocol/kafka/messages/topics.h"
#include "protocol/record_batch.h"
#include "tests/kafka/kafka_frames.h"
#include "tests/support/raw_client.h"

namespace brook::kafka {
namespace {

using testing::RawClient;

constexpr int16_t kProduce = 0;
constexpr int16_t kFetch = 1;
constexpr int16_t kListOffsets = 2;
constexpr int16_t kMetadata = 3;
constexpr int16_t kOffsetCommit = 8;
constexpr int16_t kJoinGroup = 11;
constexpr int16_t kCreateTopics = 19;
constexpr int16_t kDeleteRecords = 21;
constexpr int16_t kCreatePartitions = 37;
constexpr int16_t kOffsetDelete = 47;

EmbeddedBrokerOptions NoInitialDelay() {
  EmbeddedBrokerOptions options;
  options.config.group_initial_rebalance_delay = std::chrono::milliseconds(0);
  return options;
}

void CreateKafkaTopic(RawClient& client, const std::string& name, int32_t partitions) {
  CreateTopicsRequest request;
  request.topics.push_back({name, partitions, -1, {}, {}});
  auto created = RoundTrip<CreateTopicsResponse>(client, kCreateTopics, 7, request);
  REQUIRE(created.topics.at(0).error_code == ErrorCode::kNone);
}

// Appends one batch of `count` records to the partition.
void Produce(RawClient& client, const std::string& topic, int32_t partition, int count) {
  RecordBatchBuilder builder;
  for (int i = 0; i < count; ++i) builder.Append(1000 + i, std::nullopt, std::string_view("v"));
  const std::string batch = builder.Finish();
  ProduceRequest request;
  request.acks = -1;
  request.timeout_ms = 5000;
  request.topics.push_back({topic, {{partition, std::string_view(batch)}}});
  auto produced = RoundTrip<ProduceResponse>(client, kProduce, 9, request);
  REQUIRE(produced.responses.at(0).partitions.at(0).error_code == ErrorCode::kNone);
}

size_t PartitionCount(RawClient& client, const std::string& topic) {
  MetadataRequest request;
  request.topics = std::vector<MetadataRequest::Topic>{{Uuid{}, topic}};
  request.allow_auto_topic_creation = false;
  auto metadata = RoundTrip<MetadataResponse>(client, kMetadata, 12, request);
  REQUIRE(metadata.topics.at(0).error_code == ErrorCode::kNone);
  return metadata.topics.at(0).partitions.size();
}

CreatePartitionsRequest Grow(const std::string& topic, int32_t count, bool validate_only = false,
                             std::optional<std::vector<int32_t>> replicas = std::nullopt) {
  CreatePartitionsRequest request;
  CreatePartitionsRequest::Topic& t = request.topics.emplace_back();
  t.name = topic;
  t.count = count;
  if (replicas) t.assignments = std::vector<CreatePartitionsRequest::Assignment>{{*replicas}};
  request.timeout_ms = 5000;
  request.validate_only = validate_only;
  return request;
}

TEST_CASE("kafka CreatePartitions at every version: grows, validates, refuses") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  CreateKafkaTopic(client, "grow", 1);
  int32_t count = 1;
  for (int16_t v = 0; v <= 3; ++v) {
    CAPTURE(v);
    auto grown =
        RoundTrip<CreatePartitionsResponse>(client, kCreatePartitions, v, Grow("grow", ++count));
    REQUIRE(grown.results.size() == 1);
    CHECK(grown.results[0].name == "grow");
    CHECK(grown.results[0].error_code == ErrorCode::kNone);
    CHECK_FALSE(grown.results[0].error_message.has_value());
    CHECK(PartitionCount(client, "grow") == static_cast<size_t>(count));
  }
  // The new partition takes records at once.
  Produce(client, "grow", 4, 2);

  auto checked = RoundTrip<CreatePartitionsResponse>(client, kCreatePartitions, 3,
                                                     Grow("grow", 9, /*validate_only=*/true));
  CHECK(checked.results[0].error_code == ErrorCode::kNone);
  CHECK(PartitionCount(client, "grow") == 5);

  auto same = RoundTrip<CreatePartitionsResponse>(client, kCreatePartitions, 3, Grow("grow", 5));
  CHECK(same.results[0].error_code == ErrorCode::kInvalidPartitions);
  CHECK(same.results[0].error_message == "topic 'grow' already has 5 partitions");
  auto unknown = RoundTrip<CreatePartitionsResponse>(client, kCreatePartitions, 1, Grow("nope", 5));
  CHECK(unknown.results[0].error_code == ErrorCode::kUnknownTopicOrPartition);

  // Manual assignments: one per new partition, naming node 1 alone.
  auto elsewhere = RoundTrip<CreatePartitionsResponse>(client, kCreatePartitions, 3,
                                                       Grow("grow", 6, false, {{2}}));
  CHECK(elsewhere.results[0].error_code == ErrorCode::kInvalidReplicaAssignment);
  CHECK(elsewhere.results[0].error_message ==
        "partition 5 is assigned to brokers [2]: brook is one node, node 1, the only replica");
  auto too_few = RoundTrip<CreatePartitionsResponse>(client, kCreatePartitions, 3,
                                                     Grow("grow", 7, false, {{1}}));
  CHECK(too_few.results[0].error_code == ErrorCode::kInvalidReplicaAssignment);
  auto here = RoundTrip<CreatePartitionsResponse>(client, kCreatePartitions, 3,
                                                  Grow("grow", 6, false, {{1}}));
  CHECK(here.results[0].error_code == ErrorCode::kNone);
  CHECK(PartitionCount(client, "grow") == 6);
}

TEST_CASE("kafka DeleteRecords at every version; Fetch and ListOffsets follow the low watermark") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  CreateKafkaTopic(client, "del", 2);
  Produce(client, "del", 0, 10);
  int64_t before = 0;
  for (int16_t v = 0; v <= 2; ++v) {
    CAPTURE(v);
    before += 2;
    DeleteRecordsRequest request;
    request.topics.push_back({"del", {{0, before}, {1, 5}, {9, 0}}});
    request.timeout_ms = 10000;
    auto deleted = RoundTrip<DeleteRecordsResponse>(client, kDeleteRecords, v, request);
    REQUIRE(deleted.topics.size() == 1);
    const auto& partitions = deleted.topics[0].partitions;
    REQUIRE(partitions.size() == 3);
    CHECK(partitions[0].partition_index == 0);
    CHECK(partitions[0].error_code == ErrorCode::kNone);
    CHECK(partitions[0].low_watermark == before);
    CHECK(partitions[1].error_code == ErrorCode::kOffsetOutOfRange);
    CHECK(partitions[1].low_watermark == -1);
    CHECK(partitions[2].partition_index == 9);
    CHECK(partitions[2].error_code == ErrorCode::kUnknownTopicOrPartition);
  }

  // A fetch below the low watermark is out of range, and says where the log starts.
  FetchRequest fetch;
  fetch.topics.push_back({"del", {{0, -1, 1, -1, -1, 1 << 20}}});
  auto fetched = RoundTrip<FetchResponse>(client, kFetch, 12, fetch);
  const FetchResponse::Partition& below = fetched.responses.at(0).partitions.at(0);
  CHECK(below.error_code == ErrorCode::kOffsetOutOfRange);
  CHECK(below.log_start_offset == 6);
  ListOffsetsRequest earliest;
  earliest.topics.push_back({"del", {{0, -1, kEarliestTimestamp, 1}}});
  auto listed = RoundTrip<ListOffsetsResponse>(client, kListOffsets, 7, earliest);
  CHECK(listed.topics.at(0).partitions.at(0).offset == 6);

  // -1: the high watermark.
  DeleteRecordsRequest all;
  all.topics.push_back({"del", {{0, -1}}});
  auto emptied = RoundTrip<DeleteRecordsResponse>(client, kDeleteRecords, 2, all);
  CHECK(emptied.topics.at(0).partitions.at(0).low_watermark == 10);
}

// Joins `group` as a Kafka consumer subscribed to `topics` (JoinGroup v3: no member id round
// trip), with protocol type `type`.
void JoinKafkaGroup(RawClient& client, const std::string& group,
                    const std::vector<std::string>& topics,
                    const std::string& type = std::string(kConsumerProtocolType)) {
  ConsumerSubscription subscription;
  subscription.topics = topics;
  const std::string metadata = EncodeConsumerSubscription(subscription);
  JoinGroupRequest join;
  join.group_id = group;
  join.session_timeout_ms = 30000;
  join.rebalance_timeout_ms = 30000;
  join.protocol_type = type;
  join.protocols.push_back({"range", metadata});
  auto joined = RoundTrip<JoinGroupResponse>(client, kJoinGroup, 3, join);
  REQUIRE(joined.error_code == ErrorCode::kNone);
}

// Commits offset 1 for every listed partition from outside the group.
void Commit(RawClient& client, const std::string& group,
            const std::vector<std::pair<std::string, int32_t>>& partitions) {
  OffsetCommitRequest commit;
  commit.group_id = group;
  for (const auto& [topic, partition] : partitions) {
    commit.topics.push_back({topic, {{partition, 1, -1, -1, std::string()}}});
  }
  auto committed = RoundTrip<OffsetCommitResponse>(client, kOffsetCommit, 8, commit);
  for (const auto& t : committed.topics) {
    REQUIRE(t.partitions.at(0).error_code == ErrorCode::kNone);
  }
}

OffsetDeleteResponse DeleteOffsets(RawClient& client, const std::string& group,
                                   std::vector<OffsetDeleteRequest::Topic> topics) {
  OffsetDeleteRequest request;
  request.group_id = group;
  request.topics = std::move(topics);
  return RoundTrip<OffsetDeleteResponse>(client, kOffsetDelete, 0, request);
}

TEST_CASE("kafka OffsetDelete: unknown groups, subscribed topics, other protocol types") {
  EmbeddedBroker broker(NoInitialDelay());
  RawClient client(broker.kafka_bootstrap());
  CreateKafkaTopic(client, "a", 2);
  CreateKafkaTopic(client, "b", 1);

  auto missing = DeleteOffsets(client, "nobody", {{"a", {0}}});
  CHECK(missing.error_code == ErrorCode::kGroupIdNotFound);
  CHECK(missing.topics.empty());

  Commit(client, "g", {{"a", 0}, {"a", 1}, {"b", 0}});
  RawClient member(broker.kafka_bootstrap());
  JoinKafkaGroup(member, "g", {"a"});
  auto partial = DeleteOffsets(client, "g", {{"a", {0}}, {"b", {0, 3}}});
  CHECK(partial.error_code == ErrorCode::kNone);
  REQUIRE(partial.topics.size() == 2);
  CHECK(partial.topics[0].name == "a");
  CHECK(partial.topics[0].partitions.at(0).error_code == ErrorCode::kGroupSubscribedToTopic);
  CHECK(partial.topics[1].partitions.at(0).partition_index == 0);
  CHECK(partial.topics[1].partitions.at(0).error_code == ErrorCode::kNone);
  CHECK(partial.topics[1].partitions.at(1).error_code == ErrorCode::kUnknownTopicOrPartition);

  // A group whose members speak another protocol: their subscriptions are unknown.
  Commit(client, "connect", {{"b", 0}});
  RawClient worker(broker.kafka_bootstrap());
  JoinKafkaGroup(worker, "connect", {"b"}, "connect");
  CHECK(DeleteOffsets(client, "connect", {{"b", {0}}}).error_code == ErrorCode::kNonEmptyGroup);
}

}  // namespace
}  // namespace brook::kafka
