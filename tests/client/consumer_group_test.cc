// Unit tests of the group consumer's pure pieces (assignment diffing, wire forms, commit
// requests and answers) and of the Consumer's group API checks that need no coordinator.
#include <doctest/doctest.h>

#include "client/consumer.h"
#include "client/group_assignment.h"
#include "client/group_member.h"
#include "client/offset_committer.h"
#include "protocol/error_codes.h"
#include "tests/client/mini_broker.h"

namespace brook::client {
namespace {

TopicPartition TP(std::string topic, int32_t partition) {
  return TopicPartition{std::move(topic), PartitionId(partition)};
}

TEST_CASE("ToWire groups partitions by topic, sorted; FromWire inverts it") {
  std::vector<TopicPartition> partitions = {TP("b", 1), TP("a", 2), TP("b", 0), TP("a", 2)};
  std::vector<TopicPartitions> wire = ToWire(partitions);
  REQUIRE(wire.size() == 2);
  CHECK(wire[0].name == "a");
  CHECK(wire[0].partitions == std::vector<int32_t>{2});
  CHECK(wire[1].name == "b");
  CHECK(wire[1].partitions == std::vector<int32_t>{0, 1});
  CHECK(FromWire(wire) == std::vector<TopicPartition>{TP("a", 2), TP("b", 0), TP("b", 1)});
  CHECK(FromWire({{"x", {3, 1, 3}}}) == std::vector<TopicPartition>{TP("x", 1), TP("x", 3)});
  CHECK(ToWire({}).empty());
}

TEST_CASE("Diff: revoked is what is gone, added what is new, kept partitions are in neither") {
  AssignmentDiff diff = Diff({TP("t", 0), TP("t", 1), TP("t", 2)}, {TP("t", 1), TP("t", 3)});
  CHECK(diff.revoked == std::vector<TopicPartition>{TP("t", 0), TP("t", 2)});
  CHECK(diff.added == std::vector<TopicPartition>{TP("t", 3)});

  AssignmentDiff same = Diff({TP("t", 0)}, {TP("t", 0)});
  CHECK(same.revoked.empty());
  CHECK(same.added.empty());

  AssignmentDiff first = Diff({}, {TP("a", 0), TP("b", 0)});
  CHECK(first.revoked.empty());
  CHECK(first.added.size() == 2);
}

TEST_CASE("only cooperative-sticky is cooperative; the three broker assignors are known") {
  CHECK(IsCooperative("cooperative-sticky"));
  CHECK_FALSE(IsCooperative("range"));
  CHECK_FALSE(IsCooperative("roundrobin"));
  CHECK(IsKnownAssignor("range"));
  CHECK(IsKnownAssignor("roundrobin"));
  CHECK(IsKnownAssignor("cooperative-sticky"));
  CHECK_FALSE(IsKnownAssignor("sticky"));
}

TEST_CASE("fence errors are the three that make a member rejoin") {
  CHECK(IsGroupFenceError(ErrorCode::kRebalanceInProgress));
  CHECK(IsGroupFenceError(ErrorCode::kIllegalGeneration));
  CHECK(IsGroupFenceError(ErrorCode::kUnknownMemberId));
  CHECK_FALSE(IsGroupFenceError(ErrorCode::kNetworkException));
  CHECK_FALSE(IsGroupFenceError(ErrorCode::kNone));
}

TEST_CASE("MakeCommitRequest carries the identity and groups offsets by topic") {
  OffsetCommitRequest request = MakeCommitRequest(
      "g", {"m-1", 7}, {{TP("a", 0), 10}, {TP("b", 1), 20}, {TP("a", 3), 30}});
  CHECK(request.group_id == "g");
  CHECK(request.member_id == "m-1");
  CHECK(request.generation_id == 7);
  REQUIRE(request.topics.size() == 2);
  CHECK(request.topics[0].name == "a");
  REQUIRE(request.topics[0].partitions.size() == 2);
  CHECK(request.topics[0].partitions[1].partition == 3);
  CHECK(request.topics[0].partitions[1].offset == 30);
  CHECK_FALSE(request.topics[0].partitions[1].metadata.has_value());
  CHECK(request.topics[1].partitions[0].offset == 20);

  OffsetCommitRequest outside = MakeCommitRequest("g", {}, {{TP("a", 0), 1}});
  CHECK(outside.member_id.empty());
  CHECK(outside.generation_id == -1);
}

TEST_CASE("CommitOutcome: OK when all stored, else the first partition's error") {
  OffsetCommitResponse response;
  response.topics.push_back({"a", {{0, ErrorCode::kNone}, {1, ErrorCode::kNone}}});
  CHECK(CommitOutcome(response).ok());
  response.topics.push_back({"b", {{4, ErrorCode::kUnknownTopicOrPartition}}});
  absl::Status status = CommitOutcome(response);
  CHECK(CodeOf(status) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(std::string(status.message()).find("b-4") != std::string::npos);
}

TEST_CASE("CommittedOffsets answers per requested partition, -1 meaning no commit") {
  std::vector<TopicPartition> asked = {TP("a", 0), TP("a", 1), TP("b", 0)};
  OffsetFetchRequest request = MakeOffsetFetchRequest("g", asked);
  REQUIRE(request.topics.has_value());
  CHECK(request.topics->size() == 2);

  OffsetFetchResponse response;
  response.topics.push_back({"a", {{1, 42, std::nullopt, ErrorCode::kNone},
                                   {0, -1, std::nullopt, ErrorCode::kNone}}});
  response.topics.push_back({"b", {{0, 7, std::string("meta"), ErrorCode::kNone}}});
  auto committed = CommittedOffsets(response, asked);
  REQUIRE(committed.ok());
  CHECK(*committed == std::vector<std::optional<int64_t>>{std::nullopt, 42, 7});

  response.topics.pop_back();
  CHECK(CodeOf(CommittedOffsets(response, asked).status()) == ErrorCode::kUnknownServerError);
  response.topics.push_back({"b", {{0, -1, std::nullopt, ErrorCode::kKafkaStorageError}}});
  CHECK(CodeOf(CommittedOffsets(response, asked).status()) == ErrorCode::kKafkaStorageError);
}

TEST_CASE("group options are validated by Create") {
  ConsumerOptions options;
  options.bootstrap = "127.0.0.1:" + std::to_string(testing::UnusedPort());
  options.group_id = "g";
  options.assignor = "sticky";
  CHECK(CodeOf(Consumer::Create(options).status()) == ErrorCode::kInvalidRequest);
  options.assignor = "range";
  options.heartbeat_interval = options.session_timeout;
  CHECK(CodeOf(Consumer::Create(options).status()) == ErrorCode::kInvalidRequest);
  options.heartbeat_interval = std::chrono::milliseconds(100);
  CHECK(CodeOf(Consumer::Create(options).status()) == ErrorCode::kNetworkException);
}

TEST_CASE("Subscribe and commits need a group_id; Subscribe and Assign do not mix") {
  testing::MiniBroker broker;
  broker.CreateTopic("t", 2);
  ConsumerOptions options;
  options.bootstrap = broker.address();
  auto plain = Consumer::Create(options);
  REQUIRE(plain.ok());
  CHECK(CodeOf((*plain)->Subscribe({"t"})) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf((*plain)->Commit()) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf((*plain)->Committed(TP("t", 0)).status()) == ErrorCode::kInvalidRequest);
  absl::Status async_status;
  (*plain)->CommitAsync([&](absl::Status s) { async_status = s; });
  CHECK(CodeOf(async_status) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf((*plain)->Poll(std::chrono::milliseconds(0)).status()) ==
        ErrorCode::kInvalidRequest);

  options.group_id = "g";
  auto assigned = Consumer::Create(options);
  REQUIRE(assigned.ok());
  REQUIRE((*assigned)->Assign({TP("t", 0)}).ok());
  CHECK(CodeOf((*assigned)->Subscribe({"t"})) == ErrorCode::kInvalidRequest);

  auto subscribed = Consumer::Create(options);
  REQUIRE(subscribed.ok());
  CHECK(CodeOf((*subscribed)->Subscribe({})) == ErrorCode::kInvalidRequest);
  REQUIRE((*subscribed)->Subscribe({"t"}).ok());
  CHECK(CodeOf((*subscribed)->Assign({TP("t", 0)})) == ErrorCode::kInvalidRequest);
  CHECK((*subscribed)->member_id().empty());
  CHECK((*subscribed)->generation_id() == -1);
  (*subscribed)->Close();
  CHECK(CodeOf((*subscribed)->Subscribe({"t"})) == ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace brook::client
