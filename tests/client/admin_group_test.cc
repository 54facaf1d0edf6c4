// Admin's consumer-group tools against a real broker (EmbeddedBroker).
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/producer.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"
#include "tests/support/raw_client.h"
#include "tests/support/embedded_fixture.h"

namespace brook {
namespace {

using Offsets = std::vector<std::pair<TopicPartition, int64_t>>;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// A group member over a raw connection: it joins in the constructor (waiting for the
// rebalance to complete) and stays in the group, its session lasting 30 s, until Leave().
class RawMember {
 public:
  RawMember(const std::string& bootstrap, const std::string& group, const std::string& topic)
      : client_(bootstrap), group_(group) {
    JoinGroupRequest join;
    join.group_id = group;
    join.session_timeout_ms = 30000;
    join.topics = {topic};
    join.assignor = std::string(kRangeAssignor);
    REQUIRE(client_.Send(join, 1));
    std::optional<std::string> payload = client_.ReadFrame(30000);
    REQUIRE(payload);
    auto reply = testing::DecodeReply<JoinGroupResponse>(*std::move(payload));
    REQUIRE(reply);
    REQUIRE(reply->first.error_code == ErrorCode::kNone);
    joined = reply->second;
  }

  void Leave() {
    REQUIRE(client_.Send(LeaveGroupRequest{group_, joined.member_id}, 2));
    REQUIRE(client_.ReadFrame());
  }

  JoinGroupResponse joined;

 private:
  testing::RawClient client_;
  std::string group_;
};

EmbeddedBrokerOptions BrokerOptions() {
  EmbeddedBrokerOptions options;
  options.config.group_initial_rebalance_delay = std::chrono::milliseconds(0);
  return options;
}

struct Fixture : testing::EmbeddedFixture {
  Fixture() : EmbeddedFixture(BrokerOptions(), {.acks = -1}) {}

  // Appends one record per timestamp to `partition` of `topic`.
  void Produce(const std::string& topic, int32_t partition, const std::vector<int64_t>& stamps) {
    for (int64_t ts : stamps) {
      producer->Send({.topic = topic, .partition = partition, .value = "v", .timestamp_ms = ts},
                     nullptr);
    }
    REQUIRE(producer->Flush().ok());
  }

  // The group's committed offsets as {partition, offset} (each test uses one topic).
  std::vector<std::pair<int32_t, int64_t>> Committed(const std::string& group) {
    auto offsets = admin->ListGroupOffsets(group);
    REQUIRE(offsets.ok());
    std::vector<std::pair<int32_t, int64_t>> out;
    for (const CommittedOffset& c : *offsets) {
      out.emplace_back(c.partition.partition.value, c.offset);
    }
    return out;
  }

  // Resets group "g" on topic "t" and returns the new offsets by partition.
  std::vector<int64_t> Reset(const OffsetResetSpec& spec, bool dry_run = false) {
    auto changes = admin->ResetGroupOffsets("g", "t", spec, dry_run);
    REQUIRE(changes.ok());
    std::vector<int64_t> out;
    for (const OffsetResetChange& c : *changes) out.push_back(c.new_offset);
    return out;
  }
};

TopicPartition Tp(const std::string& topic, int32_t partition) {
  return {topic, PartitionId(partition)};
}

TEST_CASE_FIXTURE(Fixture, "a group with commits is listed, described, and deleted") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 2}).ok());
  Produce("t", 0, {1, 2, 3, 4, 5});
  Produce("t", 1, {1, 2, 3});
  auto none = admin->ListGroups();
  REQUIRE(none.ok());
  CHECK(none->empty());

  REQUIRE(admin->AlterGroupOffsets("g", Offsets{{Tp("t", 0), 2}, {Tp("t", 1), 3}}).ok());
  auto listed = admin->ListGroups();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].group_id == "g");
  CHECK((*listed)[0].state == kGroupEmpty);
  CHECK((*listed)[0].members == 0);

  auto described = admin->DescribeGroup("g");
  REQUIRE(described.ok());
  CHECK(described->state == kGroupEmpty);
  CHECK(described->members.empty());
  REQUIRE(described->offsets.size() == 2);
  const GroupPartitionOffset& p0 = described->offsets[0];
  CHECK(p0.partition == Tp("t", 0));
  CHECK(p0.committed_offset == 2);
  CHECK(p0.log_end_offset == 5);
  CHECK(p0.lag == 3);
  CHECK(described->offsets[1].lag == 0);
  CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 2}, {1, 3}});

  REQUIRE(admin->DeleteGroup("g").ok());
  auto gone = admin->DescribeGroup("g");
  CHECK(CodeOf(gone.status()) == ErrorCode::kGroupIdNotFound);
  CHECK(Contains(MessageOf(gone.status()), "'g'"));
  CHECK(CodeOf(admin->DeleteGroup("g")) == ErrorCode::kGroupIdNotFound);
  CHECK(Committed("g").empty());
  CHECK(admin->ListGroups()->empty());
}

TEST_CASE_FIXTURE(Fixture, "AlterGroupOffsets names the partitions the broker refused") {
  REQUIRE(admin->CreateTopic({.name = "t"}).ok());
  absl::Status status = admin->AlterGroupOffsets("g", Offsets{{Tp("t", 0), 1}, {Tp("t", 9), 1}});
  CHECK(CodeOf(status) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(Contains(MessageOf(status), "t-9"));
  CHECK_FALSE(Contains(MessageOf(status), "t-0"));
  CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 1}});  // The rest is kept.
  CHECK(CodeOf(admin->AlterGroupOffsets("g", Offsets{{Tp("t", 0), -5}})) ==
        ErrorCode::kInvalidRequest);
  CHECK(CodeOf(admin->DescribeGroup("").status()) == ErrorCode::kInvalidGroupId);
}

TEST_CASE_FIXTURE(Fixture, "ResetGroupOffsets moves every partition as each mode says") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 2}).ok());
  Produce("t", 0, {1000, 2000, 3000, 4000, 5000});  // Offsets 0-4.
  Produce("t", 1, {1500, 2500});                    // Offsets 0-1.
  REQUIRE(admin->AlterGroupOffsets("g", Offsets{{Tp("t", 0), 2}, {Tp("t", 1), 1}}).ok());

  SUBCASE("dry run computes the changes and commits nothing") {
    auto changes = admin->ResetGroupOffsets("g", "t", OffsetResetSpec::ToEarliest(), true);
    REQUIRE(changes.ok());
    REQUIRE(changes->size() == 2);
    CHECK((*changes)[0].partition == 0);
    CHECK((*changes)[0].current_offset == 2);
    CHECK((*changes)[0].new_offset == 0);
    CHECK((*changes)[1].current_offset == 1);
    CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 2}, {1, 1}});
  }
  SUBCASE("to-earliest and to-latest") {
    CHECK(Reset(OffsetResetSpec::ToEarliest()) == std::vector<int64_t>{0, 0});
    CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 0}, {1, 0}});
    CHECK(Reset(OffsetResetSpec::ToLatest()) == std::vector<int64_t>{5, 2});
    CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 5}, {1, 2}});
    CHECK(admin->DescribeGroup("g")->offsets[0].lag == 0);
  }
  SUBCASE("to-offset is clamped to each log end") {
    CHECK(Reset(OffsetResetSpec::ToOffset(3)) == std::vector<int64_t>{3, 2});
    CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 3}, {1, 2}});
  }
  SUBCASE("to-datetime finds the first record at or after the time") {
    CHECK(Reset(OffsetResetSpec::ToDatetime(2500)) == std::vector<int64_t>{2, 1});
    CHECK(Reset(OffsetResetSpec::ToDatetime(1000)) == std::vector<int64_t>{0, 0});
    CHECK(Reset(OffsetResetSpec::ToDatetime(9999)) == std::vector<int64_t>{5, 2});
    CHECK(Reset(OffsetResetSpec::ToDatetime(-5)) == std::vector<int64_t>{0, 0});
  }
  SUBCASE("shift-by moves back and forth from the commits, clamped") {
    CHECK(Reset(OffsetResetSpec::ShiftBy(-1)) == std::vector<int64_t>{1, 0});
    CHECK(Reset(OffsetResetSpec::ShiftBy(2)) == std::vector<int64_t>{3, 2});
    CHECK(Reset(OffsetResetSpec::ShiftBy(10)) == std::vector<int64_t>{5, 2});
    CHECK(Reset(OffsetResetSpec::ShiftBy(-100)) == std::vector<int64_t>{0, 0});
    CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 0}, {1, 0}});
  }
  SUBCASE("shift-by needs a commit on every partition; nothing changes otherwise") {
    REQUIRE(admin->AlterGroupOffsets("half", Offsets{{Tp("t", 0), 3}}).ok());
    auto refused = admin->ResetGroupOffsets("half", "t", OffsetResetSpec::ShiftBy(-1), false);
    CHECK(CodeOf(refused.status()) == ErrorCode::kInvalidRequest);
    CHECK(Contains(MessageOf(refused.status()), "cannot shift t-1"));
    CHECK(Committed("half") == std::vector<std::pair<int32_t, int64_t>>{{0, 3}});
  }
  SUBCASE("a group that does not exist yet gets its first commits") {
    auto changes = admin->ResetGroupOffsets("new", "t", OffsetResetSpec::ToOffset(1), false);
    REQUIRE(changes.ok());
    CHECK((*changes)[0].current_offset == -1);
    CHECK(Committed("new") == std::vector<std::pair<int32_t, int64_t>>{{0, 1}, {1, 1}});
  }
  SUBCASE("an unknown topic is an error") {
    auto missing = admin->ResetGroupOffsets("g", "nope", OffsetResetSpec::ToEarliest(), false);
    CHECK(CodeOf(missing.status()) == ErrorCode::kUnknownTopicOrPartition);
  }
}

TEST_CASE_FIXTURE(Fixture, "while a member is in the group, reset and delete are refused") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 2}).ok());
  REQUIRE(admin->AlterGroupOffsets("g", Offsets{{Tp("t", 0), 0}}).ok());
  RawMember member(broker.bootstrap(), "g", "t");

  auto described = admin->DescribeGroup("g");
  REQUIRE(described.ok());
  CHECK(described->state == kGroupStable);
  CHECK(described->assignor == kRangeAssignor);
  CHECK(described->generation_id == member.joined.generation_id);
  REQUIRE(described->members.size() == 1);
  const GroupMemberDescription& m = described->members[0];
  CHECK(m.member_id == member.joined.member_id);
  CHECK(m.client_id == "raw-test");
  CHECK(m.topics == std::vector<std::string>{"t"});
  CHECK(m.assignment == std::vector<TopicPartition>{Tp("t", 0), Tp("t", 1)});
  REQUIRE(described->offsets.size() == 2);  // Committed or assigned.
  CHECK(described->offsets[1].committed_offset == -1);
  CHECK(described->offsets[1].lag == -1);
  auto listed = admin->ListGroups();
  REQUIRE(listed.ok());
  CHECK((*listed)[0].members == 1);

  for (bool dry_run : {true, false}) {
    auto refused = admin->ResetGroupOffsets("g", "t", OffsetResetSpec::ToLatest(), dry_run);
    CHECK(CodeOf(refused.status()) == ErrorCode::kNonEmptyGroup);
    CHECK(MessageOf(refused.status()) ==
          "group 'g' has 1 live member; stop it before resetting its offsets");
  }
  CHECK(CodeOf(admin->AlterGroupOffsets("g", Offsets{{Tp("t", 0), 1}})) ==
        ErrorCode::kNonEmptyGroup);
  CHECK(CodeOf(admin->DeleteGroup("g")) == ErrorCode::kNonEmptyGroup);
  CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 0}});

  member.Leave();
  CHECK(Reset(OffsetResetSpec::ToLatest()) == std::vector<int64_t>{0, 0});
  CHECK(admin->DeleteGroup("g").ok());
}

// The codes of DeleteGroupOffsets' results, by partition as "topic-partition".
std::map<std::string, ErrorCode> Codes(const std::vector<OffsetDeletion>& deletions) {
  std::map<std::string, ErrorCode> codes;
  for (const OffsetDeletion& d : deletions) {
    codes[d.partition.topic + "-" + std::to_string(d.partition.partition.value)] =
        CodeOf(d.status);
  }
  return codes;
}

TEST_CASE_FIXTURE(Fixture, "DeleteGroupOffsets keeps the commits of topics a live member reads") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 2}).ok());
  REQUIRE(admin->CreateTopic({.name = "u"}).ok());
  REQUIRE(admin->AlterGroupOffsets("g", Offsets{{Tp("t", 0), 1}, {Tp("t", 1), 1}, {Tp("u", 0), 1}})
              .ok());
  RawMember member(broker.bootstrap(), "g", "t");

  auto deleted =
      admin->DeleteGroupOffsets("g", {Tp("u", 0), Tp("t", 0), Tp("nope", 0), Tp("u", 5)});
  REQUIRE(deleted.ok());
  CHECK(Codes(*deleted) == std::map<std::string, ErrorCode>{
                               {"nope-0", ErrorCode::kUnknownTopicOrPartition},
                               {"t-0", ErrorCode::kGroupSubscribedToTopic},
                               {"u-0", ErrorCode::kNone},
                               {"u-5", ErrorCode::kUnknownTopicOrPartition}});
  for (const OffsetDeletion& d : *deleted) {
    if (d.partition == Tp("t", 0)) {
      CHECK(MessageOf(d.status) == "a live member of group 'g' subscribes to topic 't'");
    }
  }
  CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{0, 1}, {1, 1}});  // t's.

  member.Leave();
  deleted = admin->DeleteGroupOffsets("g", {Tp("t", 0)});
  REQUIRE(deleted.ok());
  CHECK(Codes(*deleted) == std::map<std::string, ErrorCode>{{"t-0", ErrorCode::kNone}});
  CHECK(Committed("g") == std::vector<std::pair<int32_t, int64_t>>{{1, 1}});
  REQUIRE(admin->DeleteGroupOffsets("g", {Tp("t", 1)}).ok());
  // No commits and no members: the group is gone.
  auto gone = admin->DeleteGroupOffsets("g", {Tp("t", 1)});
  CHECK(CodeOf(gone.status()) == ErrorCode::kGroupIdNotFound);
  CHECK(MessageOf(gone.status()) == "group 'g' has neither members nor committed offsets");
  CHECK(CodeOf(admin->DeleteGroupOffsets("", {Tp("t", 1)}).status()) ==
        ErrorCode::kInvalidGroupId);
}

}  // namespace
}  // namespace brook
