// The Kafka classic-protocol group state machine (broker/group/classic_group.h) with injected
// time: the join phase and its leader, the protocol vote, SyncGroup and its deadline,
// MEMBER_ID_REQUIRED, static members, heartbeats, leaving, sessions and commit rules.
#include "broker/group/classic_group.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "tests/broker/classic_requests.h"

namespace brook::group {
namespace {

using std::chrono::milliseconds;
using testing::SyncOf;

const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);

ClassicJoin KafkaJoin(const std::string& member_id = "",
                      std::vector<ClassicProtocol> protocols = {{"range", "meta"}},
                      std::optional<std::string> instance_id = std::nullopt) {
  ClassicJoin join;
  join.member_id = member_id;
  join.group_instance_id = std::move(instance_id);
  join.client_id = "client";
  join.client_host = "/10.0.0.1";
  join.session_timeout = milliseconds(1000);
  join.rebalance_timeout = milliseconds(5000);
  join.protocol_type = "consumer";
  join.protocols = std::move(protocols);
  join.require_known_member_id = false;
  return join;
}

// The answer to `member_id`'s parked request among `answers` (joins or syncs); REQUIREs
// exactly one.
template <class T>
absl::StatusOr<T> AnswerTo(const std::vector<std::pair<std::string, absl::StatusOr<T>>>& answers,
                           const std::string& member_id) {
  const absl::StatusOr<T>* found = nullptr;
  for (const auto& [id, answer] : answers) {
    if (id != member_id) continue;
    REQUIRE(found == nullptr);
    found = &answer;
  }
  REQUIRE(found != nullptr);
  return *found;
}

absl::StatusOr<ClassicJoinResult> JoinAnswer(const ClassicAnswers& answers,
                                             const std::string& member_id) {
  return AnswerTo(answers.joins, member_id);
}

absl::StatusOr<ClassicSyncResult> SyncAnswer(const ClassicAnswers& answers,
                                             const std::string& member_id) {
  return AnswerTo(answers.syncs, member_id);
}

// Joins a new member that gets `id`; REQUIREs that the join is parked.
void JoinParked(ClassicGroup& group, const std::string& id, Clock::time_point now,
                ClassicJoin join = KafkaJoin()) {
  const std::string expected = join.member_id.empty() ? id : join.member_id;
  ClassicJoinDecision decision = group.Join(std::move(join), id, now);
  REQUIRE_FALSE(decision.answer.has_value());
  CHECK(decision.member_id == expected);
}

// A group (initial delay 100 ms) that new members joined at kT0, each with its JoinGroup
// (the first one leads), after the join phase completed at kT0 + 100 ms: CompletingRebalance
// at generation 1, the JoinGroup answers taken.
ClassicGroup JoinedGroupWith(const std::vector<std::pair<std::string, ClassicJoin>>& joins) {
  ClassicGroup group("g", milliseconds(100));
  for (const auto& [id, join] : joins) JoinParked(group, id, kT0, join);
  group.Advance(kT0 + milliseconds(100));
  REQUIRE(group.TakeAnswers().joins.size() == joins.size());
  REQUIRE(group.state() == GroupState::kCompletingRebalance);
  return group;
}

ClassicGroup JoinedGroup(const std::vector<std::string>& ids) {
  std::vector<std::pair<std::string, ClassicJoin>> joins;
  for (const std::string& id : ids) joins.emplace_back(id, KafkaJoin());
  return JoinedGroupWith(joins);
}

// A group where `ids` joined (the first leads) and the leader assigned "<id>-bytes" to each:
// Stable at generation 1. Initial delay 100 ms: joins at kT0, syncs at kT0 + 100 ms, so every
// session ends at kT0 + 1100 ms.
ClassicGroup StableGroup(const std::vector<std::string>& ids) {
  ClassicGroup group = JoinedGroup(ids);
  const Clock::time_point t = kT0 + milliseconds(100);
  std::vector<std::pair<std::string, std::string>> assignments;
  for (const std::string& id : ids) assignments.emplace_back(id, id + "-bytes");
  REQUIRE_FALSE(group.Sync(SyncOf(ids[0], Generation(1), assignments), t).answer);
  for (size_t i = 1; i < ids.size(); ++i) {
    REQUIRE(group.Sync(SyncOf(ids[i], Generation(1)), t).answer->ok());
  }
  group.TakeAnswers();
  REQUIRE(group.state() == GroupState::kStable);
  return group;
}

TEST_CASE("the first joiner leads: its answer lists every member's metadata, followers' none") {
  ClassicGroup group("g", milliseconds(100));
  JoinParked(group, "a", kT0, KafkaJoin("", {{"range", "meta-a"}}));
  CHECK(group.state() == GroupState::kPreparingRebalance);
  JoinParked(group, "b", kT0 + milliseconds(50), KafkaJoin("", {{"range", "meta-b"}}));
  // Each new member restarts the initial delay.
  group.Advance(kT0 + milliseconds(149));
  CHECK(group.TakeAnswers().joins.empty());
  group.Advance(kT0 + milliseconds(150));
  CHECK(group.state() == GroupState::kCompletingRebalance);
  ClassicAnswers answers = group.TakeAnswers();
  absl::StatusOr<ClassicJoinResult> a = JoinAnswer(answers, "a");
  absl::StatusOr<ClassicJoinResult> b = JoinAnswer(answers, "b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->generation == Generation(1));
  CHECK(a->protocol_type == "consumer");
  CHECK(a->protocol_name == std::optional<std::string>("range"));
  CHECK(a->leader_id == "a");
  CHECK(a->member_id == "a");
  REQUIRE(a->members.size() == 2);
  CHECK(a->members[0].member_id == "a");
  CHECK(a->members[0].metadata == "meta-a");
  CHECK(a->members[1].member_id == "b");
  CHECK(a->members[1].metadata == "meta-b");
  CHECK(b->leader_id == "a");
  CHECK(b->member_id == "b");
  CHECK(b->members.empty());
  CHECK(b->generation == Generation(1));
}

TEST_CASE("the group's protocol is voted; the leader gets each member's metadata for it") {
  ClassicGroup group("g", milliseconds(0));
  // With no initial delay the first join completes at once: a alone in generation 1.
  JoinParked(group, "a", kT0, KafkaJoin("", {{"roundrobin", "a-rr"}, {"range", "a-range"}}));
  CHECK(JoinAnswer(group.TakeAnswers(), "a")->protocol_name == "roundrobin");
  REQUIRE_FALSE(group.Sync(SyncOf("a", Generation(1)), kT0).answer);
  // b prefers range; c supports only range: every vote goes to range.
  JoinParked(group, "b", kT0, KafkaJoin("", {{"range", "b-range"}, {"roundrobin", "b-rr"}}));
  JoinParked(group, "c", kT0, KafkaJoin("", {{"range", "c-range"}}));
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK(group.Join(KafkaJoin("a", {{"roundrobin", "a-rr"}, {"range", "a-range"}}), "", kT0)
            .answer == std::nullopt);
  ClassicAnswers answers = group.TakeAnswers();
  absl::StatusOr<ClassicJoinResult> a = JoinAnswer(answers, "a");
  REQUIRE(a.ok());
  CHECK(a->generation == Generation(2));
  CHECK(a->protocol_name == "range");
  REQUIRE(a->members.size() == 3);
  CHECK(a->members[0].metadata == "a-range");
  CHECK(a->members[1].metadata == "b-range");
  CHECK(a->members[2].metadata == "c-range");
  CHECK(group.protocol_name() == std::optional<std::string>("range"));
}

TEST_CASE("protocol type and protocols must fit the group") {
  ClassicGroup group = StableGroup({"a"});
  ClassicJoin connect = KafkaJoin();
  connect.protocol_type = "connect";
  std::optional<absl::StatusOr<ClassicJoinResult>> refused =
      group.Join(connect, "x", kT0).answer;
  REQUIRE(refused);
  CHECK(CodeOf(refused->status()) == ErrorCode::kInconsistentGroupProtocol);
  refused = group.Join(KafkaJoin("", {{"roundrobin", ""}}), "x", kT0).answer;
  REQUIRE(refused);
  CHECK(CodeOf(refused->status()) == ErrorCode::kInconsistentGroupProtocol);
  // A known member cannot switch to a protocol the others (here: its old self) lack.
  refused = group.Join(KafkaJoin("a", {{"roundrobin", ""}}), "", kT0).answer;
  REQUIRE(refused);
  CHECK(CodeOf(refused->status()) == ErrorCode::kInconsistentGroupProtocol);
  CHECK(group.state() == GroupState::kStable);

  ClassicGroup empty("e", milliseconds(0));
  refused = empty.Join(KafkaJoin("", {}), "x", kT0).answer;
  REQUIRE(refused);
  CHECK(CodeOf(refused->status()) == ErrorCode::kInconsistentGroupProtocol);
}

TEST_CASE("followers' SyncGroups wait for the leader's; members it leaves out get empty bytes") {
  ClassicGroup group = JoinedGroup({"a", "b", "c"});
  CHECK_FALSE(group.Sync(SyncOf("b", Generation(1)), kT0 + milliseconds(110)).answer);
  CHECK(group.TakeAnswers().syncs.empty());
  CHECK(group.state() == GroupState::kCompletingRebalance);

  ClassicSync leader = SyncOf("a", Generation(1), {{"a", "for-a"}, {"b", "for-b"}, {"z", "x"}});
  leader.protocol_type = "consumer";
  leader.protocol_name = "range";
  CHECK_FALSE(group.Sync(leader, kT0 + milliseconds(120)).answer);
  CHECK(group.state() == GroupState::kStable);
  ClassicAnswers answers = group.TakeAnswers();
  CHECK(answers.syncs.size() == 2);
  CHECK(SyncAnswer(answers, "a")->assignment == "for-a");
  CHECK(SyncAnswer(answers, "b")->assignment == "for-b");
  CHECK(SyncAnswer(answers, "b")->protocol_name == std::optional<std::string>("range"));
  CHECK(SyncAnswer(answers, "b")->protocol_type == "consumer");
  // c syncs after the leader: answered at once, with the empty bytes it was left.
  std::optional<absl::StatusOr<ClassicSyncResult>> c =
      group.Sync(SyncOf("c", Generation(1)), kT0 + milliseconds(130)).answer;
  REQUIRE(c);
  REQUIRE(c->ok());
  CHECK((*c)->assignment.empty());
  CHECK(group.member("b")->assignment == "for-b");
}

TEST_CASE("SyncGroup errors: member, generation, protocol, then rebalancing") {
  ClassicGroup group = StableGroup({"a", "b"});
  auto code = [&](ClassicSync sync) {
    std::optional<absl::StatusOr<ClassicSyncResult>> answer = group.Sync(sync, kT0).answer;
    REQUIRE(answer);
    return CodeOf(answer->status());
  };
  CHECK(code(SyncOf("ghost", Generation(1))) == ErrorCode::kUnknownMemberId);
  CHECK(code(SyncOf("a", Generation(0))) == ErrorCode::kIllegalGeneration);
  ClassicSync other = SyncOf("a", Generation(1));
  other.protocol_name = "roundrobin";
  CHECK(code(other) == ErrorCode::kInconsistentGroupProtocol);
  other = SyncOf("a", Generation(1));
  other.protocol_type = "connect";
  CHECK(code(other) == ErrorCode::kInconsistentGroupProtocol);
  CHECK(code(SyncOf("b", Generation(1))) == ErrorCode::kNone);
  JoinParked(group, "c", kT0);
  CHECK(code(SyncOf("b", Generation(1))) == ErrorCode::kRebalanceInProgress);

  ClassicGroup empty("e", milliseconds(0));
  std::optional<absl::StatusOr<ClassicSyncResult>> answer =
      empty.Sync(SyncOf("a", Generation(0)), kT0).answer;
  REQUIRE(answer);
  CHECK(CodeOf(answer->status()) == ErrorCode::kUnknownMemberId);
}

TEST_CASE("a leader that does not sync within the rebalance timeout is removed; the rest rejoin") {
  ClassicGroup group = JoinedGroup({"a", "b"});
  CHECK_FALSE(group.Sync(SyncOf("b", Generation(1)), kT0 + milliseconds(200)).answer);
  // b waits in SyncGroup (its session does not expire); a heartbeats but never syncs.
  for (int ms = 700; ms < 5100; ms += 700) {
    CHECK(group.Heartbeat("a", std::nullopt, Generation(1), kT0 + milliseconds(ms)).ok());
  }
  group.Advance(kT0 + milliseconds(5099));
  CHECK(group.state() == GroupState::kCompletingRebalance);
  CHECK(group.TakeAnswers().syncs.empty());
  group.Advance(kT0 + milliseconds(5100));
  CHECK(group.member("a") == nullptr);
  CHECK(group.state() == GroupState::kPreparingRebalance);
  ClassicAnswers answers = group.TakeAnswers();
  CHECK(CodeOf(SyncAnswer(answers, "b").status()) == ErrorCode::kRebalanceInProgress);
  // b rejoins and leads generation 2.
  CHECK_FALSE(group.Join(KafkaJoin("b"), "", kT0 + milliseconds(5200)).answer);
  absl::StatusOr<ClassicJoinResult> b = JoinAnswer(group.TakeAnswers(), "b");
  REQUIRE(b.ok());
  CHECK(b->generation == Generation(2));
  CHECK(b->leader_id == "b");
  CHECK(b->members.size() == 1);
}

TEST_CASE("followers that never send SyncGroup are removed at the sync deadline") {
  ClassicGroup group = JoinedGroup({"a", "b"});
  CHECK_FALSE(group.Sync(SyncOf("a", Generation(1), {{"a", "x"}}), kT0 + milliseconds(200)).answer);
  CHECK(group.state() == GroupState::kStable);
  // a heartbeats; b heartbeats too, but never syncs.
  for (int ms = 700; ms < 5100; ms += 700) {
    CHECK(group.Heartbeat("a", std::nullopt, Generation(1), kT0 + milliseconds(ms)).ok());
    CHECK(group.Heartbeat("b", std::nullopt, Generation(1), kT0 + milliseconds(ms)).ok());
  }
  group.Advance(kT0 + milliseconds(5100));
  CHECK(group.member("b") == nullptr);
  CHECK(group.state() == GroupState::kPreparingRebalance);
}

TEST_CASE("JoinGroup v4+: a new member gets MEMBER_ID_REQUIRED and an id that expires unused") {
  ClassicGroup group("g", milliseconds(0));
  ClassicJoin join = KafkaJoin();
  join.require_known_member_id = true;
  ClassicJoinDecision first = group.Join(join, "client-1", kT0);
  REQUIRE(first.answer);
  CHECK(CodeOf(first.answer->status()) == ErrorCode::kMemberIdRequired);
  CHECK(RequiredMemberId(first.answer->status()) == std::optional<std::string>("client-1"));
  CHECK(RequiredMemberId(absl::OkStatus()) == std::nullopt);
  CHECK(first.member_id == "client-1");
  CHECK(group.state() == GroupState::kEmpty);
  CHECK(group.has_pending_members());

  join.member_id = "client-1";
  CHECK_FALSE(group.Join(join, "", kT0 + milliseconds(10)).answer);
  REQUIRE(JoinAnswer(group.TakeAnswers(), "client-1").ok());
  CHECK(group.state() == GroupState::kCompletingRebalance);
  REQUIRE(group.Sync(SyncOf("client-1", Generation(1)), kT0).answer == std::nullopt);

  // A second id is handed out but never used. The leader's rejoin waits for it...
  join.member_id = "";
  CHECK(CodeOf(group.Join(join, "client-2", kT0 + milliseconds(20)).answer->status()) ==
        ErrorCode::kMemberIdRequired);
  CHECK(group.state() == GroupState::kStable);
  CHECK_FALSE(group.Join(KafkaJoin("client-1"), "", kT0 + milliseconds(30)).answer);
  group.Advance(kT0 + milliseconds(1019));
  CHECK(group.TakeAnswers().joins.empty());
  // ...until it expires with the session timeout of the join that asked for it.
  group.Advance(kT0 + milliseconds(1020));
  CHECK(JoinAnswer(group.TakeAnswers(), "client-1")->generation == Generation(2));
  join.member_id = "client-2";
  CHECK(CodeOf(group.Join(join, "", kT0 + milliseconds(1030)).answer->status()) ==
        ErrorCode::kUnknownMemberId);
}

TEST_CASE("a static member rejoining with a new id replaces the old one without a rebalance") {
  ClassicGroup group =
      JoinedGroupWith({{"s-1", KafkaJoin("", {{"range", "m"}}, "instance-s")}, {"b", KafkaJoin()}});
  REQUIRE_FALSE(group.Sync(SyncOf("s-1", Generation(1), {{"s-1", "s-part"}, {"b", "b-part"}}),
                           kT0).answer);
  group.TakeAnswers();
  REQUIRE(group.state() == GroupState::kStable);

  // The instance restarts: same protocols, empty member id.
  ClassicJoinDecision rejoin =
      group.Join(KafkaJoin("", {{"range", "m"}}, "instance-s"), "s-2", kT0 + milliseconds(200));
  REQUIRE(rejoin.answer);
  REQUIRE(rejoin.answer->ok());
  CHECK(rejoin.member_id == "s-2");
  CHECK((*rejoin.answer)->member_id == "s-2");
  CHECK((*rejoin.answer)->generation == Generation(1));
  // It led: the answer names the old id so that it does not assign again.
  CHECK((*rejoin.answer)->leader_id == "s-1");
  CHECK((*rejoin.answer)->members.empty());
  CHECK(group.state() == GroupState::kStable);
  CHECK(group.leader_id() == "s-2");
  // It resumes with its assignment; the old id is fenced.
  std::optional<absl::StatusOr<ClassicSyncResult>> sync =
      group.Sync(SyncOf("s-2", Generation(1)), kT0 + milliseconds(210)).answer;
  REQUIRE(sync);
  CHECK((*sync)->assignment == "s-part");
  CHECK(CodeOf(group.Heartbeat("s-1", "instance-s", Generation(1), kT0)) ==
        ErrorCode::kFencedInstanceId);
  CHECK(CodeOf(group.Heartbeat("s-1", std::nullopt, Generation(1), kT0)) ==
        ErrorCode::kUnknownMemberId);
  CHECK(group.Heartbeat("s-2", "instance-s", Generation(1), kT0).ok());
  CHECK(CodeOf(group.Heartbeat("s-2", "other", Generation(1), kT0)) ==
        ErrorCode::kUnknownMemberId);
  CHECK(CodeOf(group.CheckCommit("s-1", "instance-s", Generation(1))) ==
        ErrorCode::kFencedInstanceId);

  // JoinGroup v9: the leader is told so, with the member list, and skips assigning.
  ClassicJoin v9 = KafkaJoin("", {{"range", "m"}}, "instance-s");
  v9.supports_skip_assignment = true;
  ClassicJoinDecision again = group.Join(v9, "s-3", kT0 + milliseconds(300));
  REQUIRE(again.answer);
  CHECK((*again.answer)->leader_id == "s-3");
  CHECK((*again.answer)->skip_assignment);
  CHECK((*again.answer)->members.size() == 2);
  CHECK(group.state() == GroupState::kStable);
}

TEST_CASE("a static member whose protocols change the vote rebalances; a parked one is fenced") {
  const std::vector<ClassicProtocol> range_first = {{"range", ""}, {"roundrobin", ""}};
  const std::vector<ClassicProtocol> rr_first = {{"roundrobin", ""}, {"range", ""}};
  ClassicGroup group =
      JoinedGroupWith({{"s-1", KafkaJoin("", range_first, "i")}, {"d", KafkaJoin("", rr_first)}});
  REQUIRE_FALSE(group.Sync(SyncOf("s-1", Generation(1)), kT0).answer);
  // One vote each: the tie goes to range (a lower HashMap bucket than roundrobin).
  REQUIRE(group.protocol_name() == std::optional<std::string>("range"));

  // The restarted instance now prefers roundrobin: two votes for it, so the group rebalances.
  CHECK_FALSE(group.Join(KafkaJoin("", rr_first, "i"), "s-2", kT0).answer);
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK(group.TakeAnswers().joins.empty());
  // Another restart while s-2 waits: s-2's JoinGroup is fenced, s-3 takes its place.
  CHECK_FALSE(group.Join(KafkaJoin("", rr_first, "i"), "s-3", kT0).answer);
  CHECK(CodeOf(JoinAnswer(group.TakeAnswers(), "s-2").status()) == ErrorCode::kFencedInstanceId);
  CHECK_FALSE(group.Join(KafkaJoin("d", rr_first), "", kT0).answer);
  absl::StatusOr<ClassicJoinResult> s3 = JoinAnswer(group.TakeAnswers(), "s-3");
  CHECK(s3->generation == Generation(2));
  CHECK(s3->protocol_name == std::optional<std::string>("roundrobin"));
  CHECK(s3->leader_id == "s-3");
}

TEST_CASE("static members that do not rejoin in time stay; dynamic ones are removed") {
  ClassicGroup group = JoinedGroupWith(
      {{"s", KafkaJoin("", {{"range", ""}}, "i")}, {"d", KafkaJoin()}, {"e", KafkaJoin()}});
  REQUIRE_FALSE(group.Sync(SyncOf("s", Generation(1)), kT0).answer);
  for (const char* id : {"d", "e"}) REQUIRE(group.Sync(SyncOf(id, Generation(1)), kT0).answer);
  // e rejoins with new metadata; s and d do not (but keep heartbeating).
  CHECK_FALSE(group.Join(KafkaJoin("e", {{"range", "new"}}), "", kT0 + milliseconds(200)).answer);
  for (int ms = 800; ms < 5200; ms += 800) {
    CHECK(CodeOf(group.Heartbeat("s", "i", Generation(1), kT0 + milliseconds(ms))) ==
          ErrorCode::kRebalanceInProgress);
    CHECK(CodeOf(group.Heartbeat("d", std::nullopt, Generation(1), kT0 + milliseconds(ms))) ==
          ErrorCode::kRebalanceInProgress);
  }
  group.Advance(kT0 + milliseconds(5200));
  CHECK(group.member("d") == nullptr);
  CHECK(group.member("s") != nullptr);
  absl::StatusOr<ClassicJoinResult> e = JoinAnswer(group.TakeAnswers(), "e");
  CHECK(e->leader_id == "e");  // s led but did not rejoin.
  CHECK(e->members.size() == 2);
}

TEST_CASE("heartbeats per state") {
  ClassicGroup group("g", milliseconds(100));
  JoinParked(group, "a", kT0);
  JoinParked(group, "b", kT0);
  CHECK(CodeOf(group.Heartbeat("a", std::nullopt, Generation(0), kT0)) ==
        ErrorCode::kRebalanceInProgress);
  group.Advance(kT0 + milliseconds(100));
  group.TakeAnswers();
  // CompletingRebalance: members of the new generation heartbeat while the leader assigns.
  CHECK(group.Heartbeat("b", std::nullopt, Generation(1), kT0).ok());
  CHECK(CodeOf(group.Heartbeat("b", std::nullopt, Generation(0), kT0)) ==
        ErrorCode::kIllegalGeneration);
  CHECK(CodeOf(group.Heartbeat("x", std::nullopt, Generation(1), kT0)) ==
        ErrorCode::kUnknownMemberId);
  REQUIRE_FALSE(group.Sync(SyncOf("a", Generation(1)), kT0).answer);
  CHECK(group.Heartbeat("b", std::nullopt, Generation(1), kT0).ok());
  JoinParked(group, "c", kT0);
  CHECK(CodeOf(group.Heartbeat("b", std::nullopt, Generation(1), kT0)) ==
        ErrorCode::kRebalanceInProgress);
  CHECK(CodeOf(group.Heartbeat("b", std::nullopt, Generation(2), kT0)) ==
        ErrorCode::kIllegalGeneration);
}

TEST_CASE("a rejoin with the same protocols while CompletingRebalance repeats the answer") {
  ClassicGroup group = JoinedGroup({"a", "b"});
  std::optional<absl::StatusOr<ClassicJoinResult>> again =
      group.Join(KafkaJoin("a"), "", kT0).answer;
  REQUIRE(again);
  CHECK((*again)->generation == Generation(1));
  CHECK((*again)->members.size() == 2);
  REQUIRE_FALSE(group.Sync(SyncOf("b", Generation(1)), kT0).answer);
  // With other protocols it rebalances, and b's parked SyncGroup must rejoin.
  CHECK_FALSE(group.Join(KafkaJoin("a", {{"range", "new"}}), "", kT0).answer);
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK(CodeOf(SyncAnswer(group.TakeAnswers(), "b").status()) == ErrorCode::kRebalanceInProgress);
}

TEST_CASE("in a stable group the leader's rejoin rebalances, a follower's does not") {
  ClassicGroup group = StableGroup({"a", "b"});
  std::optional<absl::StatusOr<ClassicJoinResult>> b = group.Join(KafkaJoin("b"), "", kT0).answer;
  REQUIRE(b);
  CHECK((*b)->generation == Generation(1));
  CHECK((*b)->members.empty());
  CHECK(group.state() == GroupState::kStable);
  CHECK_FALSE(group.Join(KafkaJoin("a"), "", kT0).answer);
  CHECK(group.state() == GroupState::kPreparingRebalance);
}

TEST_CASE("LeaveGroup answers per member; the last one out empties the group") {
  ClassicGroup group = JoinedGroupWith(
      {{"s", KafkaJoin("", {{"range", ""}}, "i")}, {"a", KafkaJoin()}, {"b", KafkaJoin()}});
  const ClassicLeaver leavers[] = {{"", "i"}, {"a", std::nullopt}, {"ghost", std::nullopt},
                                   {"", "unknown"}, {"b", "i"}};
  std::vector<absl::Status> results = group.Leave(leavers, kT0);
  REQUIRE(results.size() == 5);
  CHECK(results[0].ok());
  CHECK(results[1].ok());
  CHECK(CodeOf(results[2]) == ErrorCode::kUnknownMemberId);
  CHECK(CodeOf(results[3]) == ErrorCode::kUnknownMemberId);
  CHECK(CodeOf(results[4]) == ErrorCode::kUnknownMemberId);  // i is gone.
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK(group.leader_id() == "b");
  const ClassicLeaver last[] = {{"b", std::nullopt}};
  CHECK(group.Leave(last, kT0)[0].ok());
  CHECK(group.state() == GroupState::kEmpty);
  CHECK(group.generation() == Generation(2));  // The empty generation counts, as in Kafka.
  CHECK(group.protocol_name() == std::nullopt);
  CHECK(group.protocol_type() == "consumer");
}

TEST_CASE("a parked JoinGroup of a member that leaves is answered UNKNOWN_MEMBER_ID") {
  ClassicGroup group = StableGroup({"a", "b"});
  CHECK_FALSE(group.Join(KafkaJoin("a"), "", kT0).answer);
  const ClassicLeaver a[] = {{"a", std::nullopt}};
  CHECK(group.Leave(a, kT0)[0].ok());
  ClassicAnswers answers = group.TakeAnswers();
  CHECK(CodeOf(JoinAnswer(answers, "a").status()) == ErrorCode::kUnknownMemberId);
}

TEST_CASE("sessions: silent members expire; waiting ones do not; new ones after 5 minutes") {
  ClassicGroup group = StableGroup({"a", "b"});
  CHECK(group.Heartbeat("a", std::nullopt, Generation(1), kT0 + milliseconds(600)).ok());
  group.Advance(kT0 + milliseconds(1099));
  CHECK(group.member("b") != nullptr);
  group.Advance(kT0 + milliseconds(1100));
  CHECK(group.member("b") == nullptr);
  CHECK(group.state() == GroupState::kPreparingRebalance);
  CHECK_FALSE(group.Join(KafkaJoin("a"), "", kT0 + milliseconds(1200)).answer);
  CHECK(JoinAnswer(group.TakeAnswers(), "a")->generation == Generation(2));

  // A new member parked in a rebalance that a silent-but-alive static member holds up.
  ClassicGroup slow("s", milliseconds(0));
  JoinParked(slow, "st", kT0, KafkaJoin("", {{"range", ""}}, "i"));
  slow.TakeAnswers();
  REQUIRE_FALSE(slow.Sync(SyncOf("st", Generation(1)), kT0).answer);
  ClassicJoin patient = KafkaJoin();
  patient.rebalance_timeout = milliseconds(600'000);
  JoinParked(slow, "n", kT0, patient);
  for (auto t = kT0; t < kT0 + kNewMemberJoinTimeout; t += milliseconds(500)) {
    REQUIRE(CodeOf(slow.Heartbeat("st", "i", Generation(1), t)) == ErrorCode::kRebalanceInProgress);
  }
  slow.Advance(kT0 + kNewMemberJoinTimeout);
  CHECK(CodeOf(JoinAnswer(slow.TakeAnswers(), "n").status()) == ErrorCode::kUnknownMemberId);
  CHECK(slow.member("n") == nullptr);
}

TEST_CASE("commits follow Kafka's classic rules") {
  ClassicGroup group("g", milliseconds(100));
  CHECK(group.CheckCommit("", std::nullopt, kNoGeneration).ok());
  CHECK(group.CheckCommit("anyone", std::nullopt, kNoGeneration).ok());  // Empty, generation < 0.
  CHECK(CodeOf(group.CheckCommit("a", std::nullopt, Generation(0))) == ErrorCode::kUnknownMemberId);

  JoinParked(group, "a", kT0);
  JoinParked(group, "b", kT0);
  group.Advance(kT0 + milliseconds(100));
  group.TakeAnswers();
  // CompletingRebalance: the member must wait for its assignment.
  CHECK(CodeOf(group.CheckCommit("a", std::nullopt, Generation(1))) ==
        ErrorCode::kRebalanceInProgress);
  CHECK(CodeOf(group.CheckCommit("", std::nullopt, kNoGeneration)) == ErrorCode::kUnknownMemberId);
  REQUIRE_FALSE(group.Sync(SyncOf("a", Generation(1)), kT0).answer);
  CHECK(group.CheckCommit("a", std::nullopt, Generation(1)).ok());
  CHECK(group.CheckCommit("b", std::nullopt, Generation(1)).ok());
  CHECK(CodeOf(group.CheckCommit("a", std::nullopt, Generation(0))) ==
        ErrorCode::kIllegalGeneration);
  CHECK(CodeOf(group.CheckCommit("a", std::nullopt, kNoGeneration)) ==
        ErrorCode::kIllegalGeneration);
  CHECK(CodeOf(group.CheckCommit("zombie", std::nullopt, Generation(1))) ==
        ErrorCode::kUnknownMemberId);
  CHECK(CodeOf(group.CheckCommit("a", "nobody", Generation(1))) == ErrorCode::kUnknownMemberId);
  // PreparingRebalance: members of the current generation commit before they rejoin.
  JoinParked(group, "c", kT0);
  CHECK(group.CheckCommit("a", std::nullopt, Generation(1)).ok());
  // As in Kafka, a member that joined during the rebalance counts as one of generation 1.
  CHECK(group.CheckCommit("c", std::nullopt, Generation(1)).ok());
}

}  // namespace
}  // namespace brook::group
