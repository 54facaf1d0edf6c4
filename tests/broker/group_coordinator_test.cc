// The consumer-group state machine (broker/group/group.h) with injected time: joins,
// rebalance completion, generations, sessions, leave, fencing and cooperative withholding.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "broker/group/group.h"
#include "protocol/error_codes.h"

namespace brook::group {
namespace {

using std::chrono::milliseconds;

const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);
const PartitionCounts kSixPartitions = {{"t", 6}};

MemberJoin JoinOf(const std::string& id, bool new_member = true,
                  const std::string& assignor = "range") {
  MemberJoin join;
  join.member_id = id;
  join.new_member = new_member;
  join.client_id = "client";
  join.session_timeout = milliseconds(1000);
  join.rebalance_timeout = milliseconds(5000);
  join.topics = {"t"};
  join.assignor = assignor;
  return join;
}

std::vector<TopicPartition> Partitions(const std::string& topic, std::vector<int32_t> ids) {
  std::vector<TopicPartition> out;
  for (int32_t id : ids) out.push_back({topic, PartitionId(id)});
  return out;
}

// A group with `ids` as members of generation 1, no initial delay.
Group StableGroup(const std::vector<std::string>& ids, const std::string& assignor = "range") {
  Group group("g", milliseconds(0));
  for (const std::string& id : ids) REQUIRE(group.Join(JoinOf(id, true, assignor), kT0).ok());
  REQUIRE(group.ReadyToComplete(kT0));
  group.CompleteRebalance(kSixPartitions, kT0);
  REQUIRE(group.state() == GroupState::kStable);
  return group;
}

TEST_CASE("the first join waits the initial delay, then completes generation 1") {
  Group group("g", milliseconds(300));
  CHECK(group.state() == GroupState::kEmpty);
  CHECK(group.generation() == kNoGeneration);
  REQUIRE(group.Join(JoinOf("a"), kT0).ok());
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK_FALSE(group.ReadyToComplete(kT0 + milliseconds(299)));
  CHECK(group.ReadyToComplete(kT0 + milliseconds(300)));
  RebalanceResult result = group.CompleteRebalance(kSixPartitions, kT0 + milliseconds(300));
  CHECK(result.generation == Generation(1));
  CHECK(result.leader_id == "a");
  CHECK(result.assignor == "range");
  CHECK(result.assignment.at("a") == Partitions("t", {0, 1, 2, 3, 4, 5}));
  CHECK(group.state() == GroupState::kStable);
  CHECK(group.CheckActive("a", Generation(1), kT0 + milliseconds(400)).ok());
}

TEST_CASE("each join within the initial delay restarts it: members starting together share a generation") {
  Group group("g", milliseconds(300));
  REQUIRE(group.Join(JoinOf("a"), kT0).ok());
  REQUIRE(group.Join(JoinOf("b"), kT0 + milliseconds(200)).ok());
  CHECK_FALSE(group.ReadyToComplete(kT0 + milliseconds(300)));
  CHECK(group.ReadyToComplete(kT0 + milliseconds(500)));
  RebalanceResult result = group.CompleteRebalance(kSixPartitions, kT0 + milliseconds(500));
  CHECK(result.generation == Generation(1));
  CHECK(result.assignment.at("a") == Partitions("t", {0, 1, 2}));
  CHECK(result.assignment.at("b") == Partitions("t", {3, 4, 5}));
}

TEST_CASE("a new member starts a rebalance; the others must rejoin for the next generation") {
  Group group = StableGroup({"a", "b"});
  REQUIRE(group.Join(JoinOf("c"), kT0).ok());
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK(CodeOf(group.CheckActive("a", Generation(1), kT0)) == ErrorCode::kRebalanceInProgress);
  CHECK_FALSE(group.ReadyToComplete(kT0));
  REQUIRE(group.Join(JoinOf("a", false), kT0).ok());
  CHECK_FALSE(group.ReadyToComplete(kT0));
  REQUIRE(group.Join(JoinOf("b", false), kT0).ok());
  REQUIRE(group.ReadyToComplete(kT0));
  RebalanceResult result = group.CompleteRebalance(kSixPartitions, kT0);
  CHECK(result.generation == Generation(2));
  CHECK(result.assignment.at("a") == Partitions("t", {0, 1}));
  CHECK(result.assignment.at("b") == Partitions("t", {2, 3}));
  CHECK(result.assignment.at("c") == Partitions("t", {4, 5}));
  CHECK(result.leader_id == "a");
  CHECK(CodeOf(group.CheckActive("a", Generation(1), kT0)) == ErrorCode::kIllegalGeneration);
  CHECK(group.CheckActive("a", Generation(2), kT0).ok());
}

TEST_CASE("a known member joining a stable group starts a rebalance") {
  Group group = StableGroup({"a"});
  REQUIRE(group.Join(JoinOf("a", false), kT0).ok());
  CHECK(group.ReadyToComplete(kT0));
  CHECK(group.CompleteRebalance(kSixPartitions, kT0).generation == Generation(2));
}

TEST_CASE("members that do not rejoin by the rebalance deadline are removed") {
  Group group = StableGroup({"a", "b"});
  REQUIRE(group.Join(JoinOf("a", false), kT0).ok());
  // b keeps heartbeating but never rejoins: its session stays alive, the deadline removes it.
  for (int ms = 800; ms < 5000; ms += 800) {
    CHECK(group.Expire(kT0 + milliseconds(ms)).empty());
    CHECK(CodeOf(group.CheckActive("b", Generation(1), kT0 + milliseconds(ms))) ==
          ErrorCode::kRebalanceInProgress);
  }
  CHECK(group.Expire(kT0 + milliseconds(5000)) == std::vector<std::string>{"b"});
  REQUIRE(group.ReadyToComplete(kT0 + milliseconds(5000)));
  RebalanceResult result = group.CompleteRebalance(kSixPartitions, kT0 + milliseconds(5000));
  CHECK(result.assignment.size() == 1);
  CHECK(result.assignment.at("a").size() == 6);
}

TEST_CASE("a silent member's session expires; a member waiting in JoinGroup does not") {
  Group group = StableGroup({"a", "b"});
  CHECK(group.CheckActive("a", Generation(1), kT0 + milliseconds(600)).ok());
  CHECK(group.Expire(kT0 + milliseconds(999)).empty());
  CHECK(group.Expire(kT0 + milliseconds(1000)) == std::vector<std::string>{"b"});
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK(CodeOf(group.CheckCommit("b", Generation(1), kT0 + milliseconds(1000))) ==
        ErrorCode::kUnknownMemberId);
  REQUIRE(group.Join(JoinOf("a", false), kT0 + milliseconds(1100)).ok());
  // a waits in its JoinGroup (say completion were held up): its session does not expire.
  CHECK(group.Expire(kT0 + milliseconds(3000)).empty());
  CHECK(group.ReadyToComplete(kT0 + milliseconds(3000)));
}

TEST_CASE("leave removes the member at once; the last one leaving empties the group") {
  Group group = StableGroup({"a", "b"});
  REQUIRE(group.Leave("b", kT0).ok());
  CHECK_FALSE(group.has_member("b"));
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK(CodeOf(group.Leave("b", kT0)) == ErrorCode::kUnknownMemberId);
  REQUIRE(group.Join(JoinOf("a", false), kT0).ok());
  REQUIRE(group.ReadyToComplete(kT0));
  CHECK(group.CompleteRebalance(kSixPartitions, kT0).assignment.at("a").size() == 6);
  REQUIRE(group.Leave("a", kT0).ok());
  CHECK(group.state() == GroupState::kEmpty);
  CHECK(group.assignor().empty());
  CHECK(group.generation() == Generation(2));  // The last completed generation stays.
}

TEST_CASE("commits are fenced by membership and generation; tools commit only to empty groups") {
  Group group = StableGroup({"a", "b"});
  CHECK(group.CheckCommit("a", Generation(1), kT0).ok());
  CHECK(CodeOf(group.CheckCommit("a", Generation(0), kT0)) == ErrorCode::kIllegalGeneration);
  CHECK(CodeOf(group.CheckCommit("zombie", Generation(1), kT0)) == ErrorCode::kUnknownMemberId);
  CHECK(CodeOf(group.CheckCommit("", Generation(1), kT0)) == ErrorCode::kUnknownMemberId);
  CHECK(CodeOf(group.CheckCommit("", kNoGeneration, kT0)) == ErrorCode::kNonEmptyGroup);

  // During a rebalance members of the current generation still commit; a new member cannot.
  REQUIRE(group.Join(JoinOf("c"), kT0).ok());
  CHECK(group.CheckCommit("a", Generation(1), kT0).ok());
  CHECK(CodeOf(group.CheckCommit("c", Generation(1), kT0)) == ErrorCode::kIllegalGeneration);
  CHECK(CodeOf(group.CheckActive("a", Generation(1), kT0)) == ErrorCode::kRebalanceInProgress);

  REQUIRE(group.Leave("a", kT0).ok());
  REQUIRE(group.Leave("b", kT0).ok());
  REQUIRE(group.Leave("c", kT0).ok());
  CHECK(group.CheckCommit("", kNoGeneration, kT0).ok());
}

TEST_CASE("joins name a known member and the group's assignor") {
  Group group = StableGroup({"a", "b"});
  CHECK(CodeOf(group.Join(JoinOf("ghost", false), kT0)) == ErrorCode::kUnknownMemberId);
  CHECK(CodeOf(group.Join(JoinOf("c", true, "roundrobin"), kT0)) ==
        ErrorCode::kInconsistentGroupProtocol);
  CHECK(group.state() == GroupState::kStable);
  // The only member may switch assignors.
  Group single = StableGroup({"a"});
  REQUIRE(single.Join(JoinOf("a", false, "roundrobin"), kT0).ok());
  CHECK(single.assignor() == "roundrobin");
}

TEST_CASE("cooperative: a partition owned elsewhere is withheld, then moves in a second rebalance") {
  Group group = StableGroup({"a"}, "cooperative-sticky");
  REQUIRE(group.members().at("a").assignment.size() == 6);

  MemberJoin b = JoinOf("b", true, "cooperative-sticky");
  REQUIRE(group.Join(b, kT0).ok());
  MemberJoin a = JoinOf("a", false, "cooperative-sticky");
  a.owned = Partitions("t", {0, 1, 2, 3, 4, 5});
  REQUIRE(group.Join(a, kT0).ok());
  RebalanceResult first = group.CompleteRebalance(kSixPartitions, kT0);
  CHECK(first.generation == Generation(2));
  CHECK(first.withheld.size() == 3);
  CHECK(first.assignment.at("a").size() == 3);
  CHECK(first.assignment.at("b").empty());

  // a revokes what it lost and rejoins: the next rebalance hands the withheld partitions to b.
  a.owned = first.assignment.at("a");
  REQUIRE(group.Join(a, kT0).ok());
  CHECK(group.state() == GroupState::kPreparingRebalance);
  REQUIRE(group.Join(JoinOf("b", false, "cooperative-sticky"), kT0).ok());
  RebalanceResult second = group.CompleteRebalance(kSixPartitions, kT0);
  CHECK(second.generation == Generation(3));
  CHECK(second.withheld.empty());
  CHECK(second.assignment.at("a") == first.assignment.at("a"));
  CHECK(second.assignment.at("b") == first.withheld);
}

TEST_CASE("cooperative: owned partitions are trusted only where the member was assigned them") {
  Group group = StableGroup({"a", "b"}, "cooperative-sticky");
  const std::vector<TopicPartition> b_had = group.members().at("b").assignment;
  // a claims to own everything; only its own previous assignment counts, so b keeps its part.
  MemberJoin a = JoinOf("a", false, "cooperative-sticky");
  a.owned = Partitions("t", {0, 1, 2, 3, 4, 5});
  REQUIRE(group.Join(a, kT0).ok());
  MemberJoin b = JoinOf("b", false, "cooperative-sticky");
  b.owned = b_had;
  REQUIRE(group.Join(b, kT0).ok());
  RebalanceResult result = group.CompleteRebalance(kSixPartitions, kT0);
  CHECK(result.withheld.empty());
  CHECK(result.assignment.at("b") == b_had);
}

TEST_CASE("a topic change rebalances a stable group subscribed to it, and only that") {
  Group group = StableGroup({"a"});
  CHECK_FALSE(group.OnTopicChanged("other", kT0));
  CHECK(group.state() == GroupState::kStable);
  CHECK(group.OnTopicChanged("t", kT0));
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK(group.SubscribedTopics() == std::set<std::string>{"t"});
}

TEST_CASE("group ids are 1-255 bytes; states have their wire names") {
  CHECK(ValidateGroupId("g").ok());
  CHECK(ValidateGroupId(std::string(255, 'x')).ok());
  CHECK(CodeOf(ValidateGroupId("")) == ErrorCode::kInvalidGroupId);
  CHECK(CodeOf(ValidateGroupId(std::string(256, 'x'))) == ErrorCode::kInvalidGroupId);
  CHECK(StateName(GroupState::kPreparingRebalance) == "PreparingRebalance");
}

}  // namespace
}  // namespace brook::group
