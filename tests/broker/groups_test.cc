// Consumer groups over real TCP against an embedded broker: JoinGroup, Heartbeat, LeaveGroup,
// session expiry, OffsetCommit/OffsetFetch and their fencing, Fetch v1, DescribeGroups,
// ListGroups, DeleteGroups. Members that must wait for each other run on their own threads and
// connections.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>
#include <set>
#include <thread>

#include "broker/embedded_broker.h"
#include "tests/broker/call.h"
#include "tests/support/batches.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using testing::Call;
using testing::RawClient;
using testing::Roundtrip;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

EmbeddedBrokerOptions GroupOptions(milliseconds initial_delay = milliseconds(0)) {
  EmbeddedBrokerOptions options;
  options.config.group_initial_rebalance_delay = initial_delay;
  return options;
}

JoinGroupRequest JoinRequest(const std::string& group, const std::string& member_id = "",
                             std::vector<std::string> topics = {"t"},
                             const std::string& assignor = "range",
                             int32_t session_timeout_ms = 10000) {
  JoinGroupRequest join;
  join.group_id = group;
  join.member_id = member_id;
  join.session_timeout_ms = session_timeout_ms;
  join.rebalance_timeout_ms = 10000;
  join.topics = std::move(topics);
  join.assignor = assignor;
  return join;
}

// Joins on a connection of its own (a JoinGroup may wait for other members).
std::future<testing::Reply<JoinGroupResponse>> JoinAsync(const std::string& bootstrap,
                                                         JoinGroupRequest join) {
  return std::async(std::launch::async, [bootstrap, join = std::move(join)] {
    RawClient client(bootstrap);
    return Roundtrip(client, join, 1, 0, 20000);
  });
}

// Sends every join at once; returns the answers in the same order, each REQUIREd OK.
std::vector<JoinGroupResponse> JoinTogether(const std::string& bootstrap,
                                            const std::vector<JoinGroupRequest>& joins) {
  std::vector<std::future<testing::Reply<JoinGroupResponse>>> pending;
  for (const JoinGroupRequest& join : joins) pending.push_back(JoinAsync(bootstrap, join));
  std::vector<JoinGroupResponse> responses;
  for (auto& future : pending) {
    testing::Reply<JoinGroupResponse> reply = future.get();
    REQUIRE(reply.first.error_code == ErrorCode::kNone);
    responses.push_back(reply.second);
  }
  return responses;
}

JoinGroupResponse JoinAlone(RawClient& client, const JoinGroupRequest& join) {
  return Call(client, join).second;
}

size_t CountOf(const std::vector<TopicPartitions>& assignment) {
  size_t n = 0;
  for (const TopicPartitions& topic : assignment) n += topic.partitions.size();
  return n;
}

ErrorCode Heartbeat(RawClient& client, const std::string& group, const JoinGroupResponse& member) {
  return Roundtrip(client, HeartbeatRequest{group, member.member_id, member.generation_id})
      .first.error_code;
}

// Heartbeats every 50 ms until the answer is `code` (true) or 10 s passed (false).
bool HeartbeatUntil(RawClient& client, const std::string& group,
                    const JoinGroupResponse& member, ErrorCode code) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    if (Heartbeat(client, group, member) == code) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

OffsetCommitRequest CommitRequest(const std::string& group, const std::string& member_id,
                                  int32_t generation, int32_t partition, int64_t offset,
                                  std::optional<std::string> metadata = std::nullopt) {
  OffsetCommitRequest commit;
  commit.group_id = group;
  commit.member_id = member_id;
  commit.generation_id = generation;
  commit.topics.push_back({"t", {{partition, offset, std::move(metadata)}}});
  return commit;
}

ErrorCode CommitCode(RawClient& client, const OffsetCommitRequest& commit) {
  return Roundtrip(client, commit).first.error_code;
}

FetchRequest MemberFetch(const std::string& group, const JoinGroupResponse& member,
                         int32_t max_wait_ms) {
  FetchRequest fetch;
  fetch.max_wait_ms = max_wait_ms;
  fetch.topics.push_back({"t", {{0, 0, 1 << 20}}});
  fetch.group_id = group;
  fetch.member_id = member.member_id;
  fetch.generation_id = member.generation_id;
  return fetch;
}

TEST_CASE("three members joining a 6-partition topic within the initial delay get 2 partitions each in one generation") {
  EmbeddedBroker broker(GroupOptions(milliseconds(500)));
  RawClient admin(broker.bootstrap());
  REQUIRE(testing::CreateTopic(admin, "t", 6));
  std::vector<JoinGroupResponse> members =
      JoinTogether(broker.bootstrap(), {JoinRequest("g"), JoinRequest("g"), JoinRequest("g")});
  std::set<int32_t> all;
  for (const JoinGroupResponse& member : members) {
    CHECK(member.generation_id == 1);
    CHECK(member.assignor == "range");
    CHECK(member.member_id.find("raw-test-") == 0);
    CHECK(member.leader_id == members[0].leader_id);
    REQUIRE(member.assignment.size() == 1);
    CHECK(member.assignment[0].partitions.size() == 2);
    all.insert(member.assignment[0].partitions.begin(), member.assignment[0].partitions.end());
  }
  CHECK(all == std::set<int32_t>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("a fourth member's join makes the others' heartbeats answer REBALANCE_IN_PROGRESS") {
  EmbeddedBroker broker(GroupOptions(milliseconds(300)));
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 6));
  std::vector<JoinGroupResponse> members =
      JoinTogether(broker.bootstrap(), {JoinRequest("g"), JoinRequest("g"), JoinRequest("g")});
  for (const JoinGroupResponse& member : members) {
    CHECK(Heartbeat(client, "g", member) == ErrorCode::kNone);
  }

  auto fourth = JoinAsync(broker.bootstrap(), JoinRequest("g"));
  REQUIRE(HeartbeatUntil(client, "g", members[0], ErrorCode::kRebalanceInProgress));
  CHECK(Heartbeat(client, "g", members[1]) == ErrorCode::kRebalanceInProgress);

  std::vector<JoinGroupResponse> rejoined = JoinTogether(
      broker.bootstrap(), {JoinRequest("g", members[0].member_id),
                           JoinRequest("g", members[1].member_id),
                           JoinRequest("g", members[2].member_id)});
  testing::Reply<JoinGroupResponse> newcomer = fourth.get();
  REQUIRE(newcomer.first.error_code == ErrorCode::kNone);
  rejoined.push_back(newcomer.second);
  size_t total = 0;
  for (const JoinGroupResponse& member : rejoined) {
    CHECK(member.generation_id == 2);
    CHECK(CountOf(member.assignment) >= 1);
    CHECK(CountOf(member.assignment) <= 2);
    total += CountOf(member.assignment);
  }
  CHECK(total == 6);
  CHECK(Heartbeat(client, "g", members[0]) == ErrorCode::kIllegalGeneration);
  CHECK(Heartbeat(client, "g", rejoined[0]) == ErrorCode::kNone);
}

TEST_CASE("LeaveGroup moves the leaver's partitions at once; its commits are then refused") {
  EmbeddedBroker broker(GroupOptions(milliseconds(300)));
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 6));
  std::vector<JoinGroupResponse> members =
      JoinTogether(broker.bootstrap(), {JoinRequest("g"), JoinRequest("g")});
  const JoinGroupResponse& stays = members[0];
  const JoinGroupResponse& leaves = members[1];

  Call(client, LeaveGroupRequest{"g", leaves.member_id});
  CHECK(Heartbeat(client, "g", stays) == ErrorCode::kRebalanceInProgress);
  JoinGroupResponse rejoined = JoinAlone(client, JoinRequest("g", stays.member_id));
  CHECK(rejoined.generation_id == 2);
  CHECK(CountOf(rejoined.assignment) == 6);

  CHECK(CommitCode(client, CommitRequest("g", leaves.member_id, 1, 0, 5)) ==
        ErrorCode::kUnknownMemberId);
  CHECK(Roundtrip(client, LeaveGroupRequest{"g", leaves.member_id}).first.error_code ==
        ErrorCode::kUnknownMemberId);
  CHECK(Heartbeat(client, "g", leaves) == ErrorCode::kUnknownMemberId);
}

TEST_CASE("a silent member's session expires; the others rebalance without it") {
  EmbeddedBroker broker(GroupOptions(milliseconds(300)));
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 6));
  std::vector<JoinGroupResponse> members =
      JoinTogether(broker.bootstrap(), {JoinRequest("g", "", {"t"}, "range", 2000),
                                        JoinRequest("g", "", {"t"}, "range", 300)});
  const JoinGroupResponse& alive = members[0];
  const JoinGroupResponse& silent = members[1];
  REQUIRE(HeartbeatUntil(client, "g", alive, ErrorCode::kRebalanceInProgress));
  CHECK(Heartbeat(client, "g", silent) == ErrorCode::kUnknownMemberId);
  CHECK(CommitCode(client, CommitRequest("g", silent.member_id, silent.generation_id, 0, 1)) ==
        ErrorCode::kUnknownMemberId);
  JoinGroupResponse rejoined = JoinAlone(client, JoinRequest("g", alive.member_id, {"t"}, "range", 2000));
  CHECK(rejoined.generation_id == 2);
  CHECK(CountOf(rejoined.assignment) == 6);
}

TEST_CASE("OffsetCommit then OffsetFetch round-trips offsets and metadata; null topics fetches all") {
  EmbeddedBroker broker(GroupOptions());
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 3));
  OffsetCommitRequest commit = CommitRequest("g", "", -1, 0, 42, "checkpoint");
  commit.topics[0].partitions.push_back({2, 7, std::nullopt});
  commit.topics[0].partitions.push_back({1, -3, std::nullopt});
  commit.topics[0].partitions.push_back({9, 1, std::nullopt});
  commit.topics[0].partitions.push_back({1, 1, std::string(4097, 'm')});
  commit.topics.push_back({"missing", {{0, 1, std::nullopt}}});
  auto committed = Call(client, commit);
  REQUIRE(committed.second.topics.size() == 2);
  const auto& results = committed.second.topics[0].partitions;
  REQUIRE(results.size() == 5);
  CHECK(results[0].error_code == ErrorCode::kNone);
  CHECK(results[1].error_code == ErrorCode::kNone);
  CHECK(results[2].error_code == ErrorCode::kInvalidRequest);
  CHECK(results[3].error_code == ErrorCode::kUnknownTopicOrPartition);
  CHECK(results[4].error_code == ErrorCode::kOffsetMetadataTooLarge);
  CHECK(committed.second.topics[1].partitions[0].error_code ==
        ErrorCode::kUnknownTopicOrPartition);

  OffsetFetchRequest fetch;
  fetch.group_id = "g";
  fetch.topics = std::vector<TopicPartitions>{{"t", {0, 1, 2}}};
  auto fetched = Call(client, fetch);
  REQUIRE(fetched.second.topics.size() == 1);
  const auto& partitions = fetched.second.topics[0].partitions;
  REQUIRE(partitions.size() == 3);
  CHECK(partitions[0].committed_offset == 42);
  CHECK(partitions[0].metadata == std::optional<std::string>("checkpoint"));
  CHECK(partitions[1].committed_offset == -1);
  CHECK_FALSE(partitions[1].metadata.has_value());
  CHECK(partitions[2].committed_offset == 7);

  OffsetFetchRequest all;
  all.group_id = "g";
  auto everything = Call(client, all);
  REQUIRE(everything.second.topics.size() == 1);
  REQUIRE(everything.second.topics[0].partitions.size() == 2);
  CHECK(everything.second.topics[0].partitions[0].partition == 0);
  CHECK(everything.second.topics[0].partitions[1].partition == 2);

  OffsetFetchRequest unknown_group;
  unknown_group.group_id = "nobody";
  unknown_group.topics = std::vector<TopicPartitions>{{"t", {0}}};
  CHECK(Call(client, unknown_group).second.topics[0].partitions[0].committed_offset == -1);
  unknown_group.group_id = "";
  CHECK(Roundtrip(client, unknown_group).first.error_code == ErrorCode::kInvalidGroupId);
}

TEST_CASE("commits are fenced by generation and membership; tools may commit only to empty groups") {
  EmbeddedBroker broker(GroupOptions());
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 2));
  JoinGroupResponse member = JoinAlone(client, JoinRequest("g"));
  CHECK(CommitCode(client, CommitRequest("g", member.member_id, 1, 0, 10)) == ErrorCode::kNone);
  CHECK(CommitCode(client, CommitRequest("g", "", -1, 0, 0)) == ErrorCode::kNonEmptyGroup);

  JoinGroupResponse second = JoinAlone(client, JoinRequest("g", member.member_id));
  REQUIRE(second.generation_id == 2);
  CHECK(CommitCode(client, CommitRequest("g", member.member_id, 1, 0, 11)) ==
        ErrorCode::kIllegalGeneration);
  CHECK(CommitCode(client, CommitRequest("g", "someone-else", 2, 0, 11)) ==
        ErrorCode::kUnknownMemberId);
  CHECK(CommitCode(client, CommitRequest("g", member.member_id, 2, 0, 12)) == ErrorCode::kNone);

  Call(client, LeaveGroupRequest{"g", member.member_id});
  CHECK(CommitCode(client, CommitRequest("g", member.member_id, 2, 0, 13)) ==
        ErrorCode::kUnknownMemberId);
  CHECK(CommitCode(client, CommitRequest("g", "", -1, 0, 0)) == ErrorCode::kNone);

  OffsetFetchRequest fetch;
  fetch.group_id = "g";
  fetch.topics = std::vector<TopicPartitions>{{"t", {0}}};
  CHECK(Call(client, fetch).second.topics[0].partitions[0].committed_offset == 0);
}

TEST_CASE("Fetch v1 is fenced, and a long-polling member fetch is answered REBALANCE_IN_PROGRESS when another member joins") {
  EmbeddedBroker broker(GroupOptions());
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  Call(client, ProduceRequest{kAcksLeader, 0, {{"t", {{0, testing::MakeBatch({"x"})}}}}});
  JoinGroupResponse member = JoinAlone(client, JoinRequest("g"));

  auto fetched = Roundtrip(client, MemberFetch("g", member, 0), 1, 1);
  REQUIRE(fetched.first.error_code == ErrorCode::kNone);
  CHECK(testing::ValuesOf(fetched.second.topics[0].partitions[0].records) ==
        std::vector<std::string>{"x"});
  JoinGroupResponse stale = member;
  stale.generation_id = 0;
  CHECK(Roundtrip(client, MemberFetch("g", stale, 0), 2, 1).first.error_code ==
        ErrorCode::kIllegalGeneration);
  JoinGroupResponse stranger = member;
  stranger.member_id = "stranger";
  CHECK(Roundtrip(client, MemberFetch("g", stranger, 0), 3, 1).first.error_code ==
        ErrorCode::kUnknownMemberId);

  // Wait at the log end for up to 20 s; a join by another member must cut that short.
  FetchRequest poll = MemberFetch("g", member, 20000);
  poll.topics[0].partitions[0].fetch_offset = 1;
  RawClient poller(broker.bootstrap());
  REQUIRE(poller.Send(poll, 4, 1));
  std::this_thread::sleep_for(milliseconds(200));
  auto newcomer = JoinAsync(broker.bootstrap(), JoinRequest("g"));
  const auto started = Clock::now();
  auto payload = poller.ReadFrame(10000);
  REQUIRE(payload);
  CHECK(Clock::now() - started < std::chrono::seconds(10));
  auto reply = testing::DecodeReply<FetchResponse>(*payload);
  REQUIRE(reply);
  CHECK(reply->first.error_code == ErrorCode::kRebalanceInProgress);

  JoinGroupResponse rejoined = JoinAlone(client, JoinRequest("g", member.member_id));
  CHECK(rejoined.generation_id == 2);
  CHECK(newcomer.get().first.error_code == ErrorCode::kNone);
}

TEST_CASE("a group's commits go with their topic, and lag is never negative") {
  EmbeddedBroker broker(GroupOptions());
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  Call(client, ProduceRequest{kAcksLeader, 0,
                              {{"t", {{0, testing::MakeBatch({"1", "2", "3", "4", "5", "6", "7"})}}}}});
  REQUIRE(CommitCode(client, CommitRequest("g", "", -1, 0, 7)) == ErrorCode::kNone);
  DeleteTopicsRequest del;
  del.topics = {"t"};
  REQUIRE(Call(client, del).second.topics.at(0).error_code == ErrorCode::kNone);
  REQUIRE(testing::CreateTopic(client, "t", 1));

  DescribeGroupsRequest describe;
  describe.groups = {"g"};
  // The commit of the deleted topic is gone: the new topic's first 7 records are not skipped.
  CHECK(Call(client, describe).second.groups.at(0).offsets.empty());
  // A commit past the log end (7 on an empty topic) is no lag, not -7.
  REQUIRE(CommitCode(client, CommitRequest("g", "", -1, 0, 7)) == ErrorCode::kNone);
  const auto described = Call(client, describe).second.groups.at(0);
  REQUIRE(described.offsets.size() == 1);
  CHECK(described.offsets[0].partitions.at(0).lag == 0);
}

TEST_CASE("DescribeGroups shows state, members, assignment and lag; ListGroups lists every group") {
  EmbeddedBroker broker(GroupOptions());
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 2));
  Call(client, ProduceRequest{kAcksLeader, 0, {{"t", {{0, testing::MakeBatch({"a", "b", "c"})}}}}});
  JoinGroupResponse member = JoinAlone(client, JoinRequest("g"));
  Call(client, CommitRequest("g", member.member_id, 1, 0, 1, "m"));
  Call(client, CommitRequest("offsets-only", "", -1, 1, 0));

  DescribeGroupsRequest describe;
  describe.groups = {"g", "offsets-only", "nobody", ""};
  auto described = Call(client, describe);
  REQUIRE(described.second.groups.size() == 4);
  const DescribeGroupsResponse::Group& g = described.second.groups[0];
  CHECK(g.error_code == ErrorCode::kNone);
  CHECK(g.state == "Stable");
  CHECK(g.assignor == "range");
  CHECK(g.generation_id == 1);
  REQUIRE(g.members.size() == 1);
  CHECK(g.members[0].member_id == member.member_id);
  CHECK(g.members[0].client_id == "raw-test");
  CHECK(g.members[0].client_host.rfind("127.0.0.1:", 0) == 0);  // The member's host:port.
  CHECK(g.members[0].topics == std::vector<std::string>{"t"});
  CHECK(CountOf(g.members[0].assignment) == 2);
  REQUIRE(g.offsets.size() == 1);
  REQUIRE(g.offsets[0].partitions.size() == 2);
  const auto& p0 = g.offsets[0].partitions[0];
  CHECK(p0.committed_offset == 1);
  CHECK(p0.log_end_offset == 3);
  CHECK(p0.lag == 2);
  CHECK(p0.metadata == std::optional<std::string>("m"));
  const auto& p1 = g.offsets[0].partitions[1];
  CHECK(p1.committed_offset == -1);
  CHECK(p1.log_end_offset == 0);
  CHECK(p1.lag == -1);

  const DescribeGroupsResponse::Group& offsets_only = described.second.groups[1];
  CHECK(offsets_only.error_code == ErrorCode::kNone);
  CHECK(offsets_only.state == "Empty");
  CHECK(offsets_only.generation_id == -1);
  CHECK(offsets_only.members.empty());
  CHECK(described.second.groups[2].error_code == ErrorCode::kGroupIdNotFound);
  CHECK(described.second.groups[3].error_code == ErrorCode::kInvalidGroupId);

  auto listed = Call(client, ListGroupsRequest{});
  REQUIRE(listed.second.groups.size() == 2);
  CHECK(listed.second.groups[0].group_id == "g");
  CHECK(listed.second.groups[0].state == "Stable");
  CHECK(listed.second.groups[0].members == 1);
  CHECK(listed.second.groups[1].group_id == "offsets-only");
  CHECK(listed.second.groups[1].state == "Empty");
  CHECK(listed.second.groups[1].members == 0);
}

TEST_CASE("DeleteGroups refuses a group with members, deletes it once empty, then finds nothing") {
  EmbeddedBroker broker(GroupOptions());
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  JoinGroupResponse member = JoinAlone(client, JoinRequest("g"));
  Call(client, CommitRequest("g", member.member_id, 1, 0, 1));
  DeleteGroupsRequest remove;
  remove.groups = {"g", ""};
  auto refused = Call(client, remove);
  REQUIRE(refused.second.results.size() == 2);
  CHECK(refused.second.results[0].error_code == ErrorCode::kNonEmptyGroup);
  CHECK(refused.second.results[0].error_message.has_value());
  CHECK(refused.second.results[1].error_code == ErrorCode::kInvalidGroupId);

  Call(client, LeaveGroupRequest{"g", member.member_id});
  remove.groups = {"g"};
  CHECK(Call(client, remove).second.results[0].error_code == ErrorCode::kNone);
  CHECK(Call(client, remove).second.results[0].error_code == ErrorCode::kGroupIdNotFound);
  OffsetFetchRequest fetch;
  fetch.group_id = "g";
  CHECK(Call(client, fetch).second.topics.empty());
}

TEST_CASE("committed offsets survive a restart; membership does not") {
  EmbeddedBroker broker(GroupOptions());
  JoinGroupResponse member;
  {
    RawClient client(broker.bootstrap());
    REQUIRE(testing::CreateTopic(client, "t", 1));
    member = JoinAlone(client, JoinRequest("g"));
    Call(client, CommitRequest("g", member.member_id, 1, 0, 5, "before restart"));
  }
  REQUIRE(broker.Restart().ok());
  RawClient client(broker.bootstrap());
  OffsetFetchRequest fetch;
  fetch.group_id = "g";
  auto fetched = Call(client, fetch);
  REQUIRE(fetched.second.topics.size() == 1);
  CHECK(fetched.second.topics[0].partitions[0].committed_offset == 5);
  CHECK(fetched.second.topics[0].partitions[0].metadata ==
        std::optional<std::string>("before restart"));
  CHECK(Heartbeat(client, "g", member) == ErrorCode::kUnknownMemberId);
}

TEST_CASE("JoinGroup refuses invalid group ids, session timeouts, assignors and member ids") {
  EmbeddedBroker broker(GroupOptions());
  RawClient client(broker.bootstrap());
  auto code = [&](const JoinGroupRequest& join) { return Roundtrip(client, join).first.error_code; };
  CHECK(code(JoinRequest("")) == ErrorCode::kInvalidGroupId);
  CHECK(code(JoinRequest(std::string(256, 'g'))) == ErrorCode::kInvalidGroupId);
  CHECK(code(JoinRequest("g", "", {"t"}, "range", 99)) == ErrorCode::kInvalidSessionTimeout);
  CHECK(code(JoinRequest("g", "", {"t"}, "range", 300001)) == ErrorCode::kInvalidSessionTimeout);
  CHECK(code(JoinRequest("g", "", {"t"}, "sticky-ish")) == ErrorCode::kInvalidRequest);
  CHECK(code(JoinRequest("g", "", {})) == ErrorCode::kInvalidRequest);
  JoinGroupRequest negative = JoinRequest("g");
  negative.rebalance_timeout_ms = -1;
  CHECK(code(negative) == ErrorCode::kInvalidRequest);
  CHECK(code(JoinRequest("g", "ghost")) == ErrorCode::kUnknownMemberId);

  JoinGroupResponse member = JoinAlone(client, JoinRequest("g"));
  CHECK(code(JoinRequest("g", "", {"t"}, "roundrobin")) == ErrorCode::kInconsistentGroupProtocol);
  CHECK(Heartbeat(client, "g", member) == ErrorCode::kNone);
}

TEST_CASE("a topic created after members subscribed to it is assigned after the rebalance it starts") {
  EmbeddedBroker broker(GroupOptions());
  RawClient client(broker.bootstrap());
  JoinGroupResponse member = JoinAlone(client, JoinRequest("g", "", {"later"}));
  CHECK(member.generation_id == 1);
  CHECK(member.assignment.empty());
  REQUIRE(testing::CreateTopic(client, "later", 3));
  CHECK(Heartbeat(client, "g", member) == ErrorCode::kRebalanceInProgress);
  JoinGroupResponse rejoined = JoinAlone(client, JoinRequest("g", member.member_id, {"later"}));
  CHECK(rejoined.generation_id == 2);
  REQUIRE(rejoined.assignment.size() == 1);
  CHECK(rejoined.assignment[0].name == "later");
  CHECK(rejoined.assignment[0].partitions == std::vector<int32_t>{0, 1, 2});
}

TEST_CASE("a JoinGroup waiting when the broker stops is answered BROKER_SHUTTING_DOWN") {
  std::optional<EmbeddedBroker> broker;
  broker.emplace(GroupOptions());
  RawClient client(broker->bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  JoinGroupResponse member = JoinAlone(client, JoinRequest("g"));
  auto waiting = JoinAsync(broker->bootstrap(), JoinRequest("g"));
  REQUIRE(HeartbeatUntil(client, "g", member, ErrorCode::kRebalanceInProgress));
  broker.reset();
  CHECK(waiting.get().first.error_code == ErrorCode::kBrokerShuttingDown);
}

}  // namespace
}  // namespace brook
