// GroupCoordinator's Kafka classic-protocol API (broker/group/group_coordinator.h) with an
// injected clock and a single-threaded io_context: parked JoinGroups and SyncGroups, the
// MEMBER_ID_REQUIRED round trip, fencing of a replaced static member's parked request,
// brook and Kafka members never sharing a group, commit rules, shutdown, and what
// DescribeGroups / ListGroups (brook's, broker/handlers/group_admin.cc) show of Kafka groups.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "broker/broker_clock.h"
#include "broker/fetch_waiters.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/log_cleaner.h"
#include "protocol/absl_compat.h"
#include "protocol/consumer_protocol.h"
#include "protocol/error_codes.h"
#include "tests/broker/classic_requests.h"
#include "tests/support/batches.h"
#include "tests/support/temp_dir.h"

namespace brook::group {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::SyncOf;

const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);

std::string Subscription(std::vector<std::string> topics) {
  ConsumerSubscription subscription;
  subscription.topics = std::move(topics);
  return EncodeConsumerSubscription(subscription);
}

std::string Assignment(std::vector<TopicPartitions> partitions) {
  ConsumerAssignment assignment;
  assignment.partitions = std::move(partitions);
  return EncodeConsumerAssignment(assignment);
}

ClassicJoin KafkaJoin(const std::string& member_id = "", bool require_known_member_id = false) {
  ClassicJoin join;
  join.member_id = member_id;
  join.client_id = "rdkafka";
  join.client_host = "/127.0.0.1";
  join.session_timeout = milliseconds(10'000);
  join.rebalance_timeout = milliseconds(30'000);
  join.protocol_type = "consumer";
  join.protocols = {{"range", Subscription({"t"})}};
  join.require_known_member_id = require_known_member_id;
  return join;
}

// A coordinator over a fresh store, driven on the test's thread. Coroutines run when Run() is
// called; the clock moves only when the test moves it.
struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<storage::LogStore> store;
  BrokerConfig config;
  Clock::time_point now = kT0;
  std::unique_ptr<GroupCoordinator> groups;
  asio::io_context io;

  Fixture() {
    auto opened = storage::LogStore::Open(storage::StoreOptions{.data_dir = dir.path()});
    REQUIRE(opened.ok());
    store = std::move(*opened);
    config.group_initial_rebalance_delay = milliseconds(100);
    groups = std::make_unique<GroupCoordinator>(*store, config, [this] { return now; });
  }

  // Starts `op`; its result appears in the returned slot once Run() has run it to the end.
  template <class T>
  std::shared_ptr<std::optional<T>> Start(asio::awaitable<T> op) {
    auto slot = std::make_shared<std::optional<T>>();
    asio::co_spawn(io, std::move(op), [slot](std::exception_ptr e, T value) {
      REQUIRE(e == nullptr);
      *slot = std::move(value);
    });
    Run();
    return slot;
  }
  void Run() {
    io.restart();
    io.poll();
  }
  // Moves the clock and lets the coordinator act on it (a sweep).
  void AdvanceTo(Clock::time_point t) {
    now = t;
    groups->AllGroups();
    Run();
  }
};

TEST_CASE_FIXTURE(Fixture, "JoinGroups wait for the join phase, followers' SyncGroups for the leader") {
  auto a = Start(groups->JoinClassic("g", KafkaJoin()));
  auto b = Start(groups->JoinClassic("g", KafkaJoin()));
  CHECK_FALSE(a->has_value());
  CHECK_FALSE(b->has_value());
  AdvanceTo(kT0 + milliseconds(100));  // The initial delay.
  REQUIRE(a->has_value());
  REQUIRE(b->has_value());
  REQUIRE((*a)->ok());
  const ClassicJoinResult& leader = ***a;
  const ClassicJoinResult& follower = ***b;
  CHECK(leader.leader_id == leader.member_id);
  CHECK(leader.member_id.starts_with("rdkafka-"));
  CHECK(leader.member_id.size() == std::string("rdkafka-").size() + 36);  // A UUID.
  CHECK(leader.members.size() == 2);
  CHECK(follower.members.empty());
  CHECK(follower.generation == Generation(1));

  auto follower_sync = Start(groups->SyncClassic("g", SyncOf(follower.member_id, Generation(1))));
  CHECK_FALSE(follower_sync->has_value());
  CHECK(groups->HeartbeatClassic("g", follower.member_id, std::nullopt, Generation(1)).ok());
  const std::string part = Assignment({{"t", {0}}});
  auto leader_sync = Start(groups->SyncClassic(
      "g", SyncOf(leader.member_id, Generation(1), {{follower.member_id, part}})));
  REQUIRE(follower_sync->has_value());
  REQUIRE(leader_sync->has_value());
  CHECK((**follower_sync)->assignment == part);
  CHECK((**leader_sync)->assignment.empty());  // The leader gave itself nothing.
  CHECK((**leader_sync)->protocol_name == std::optional<std::string>("range"));

  std::optional<GroupView> view = groups->Describe("g");
  REQUIRE(view);
  CHECK(view->kind == GroupKind::kKafkaClassic);
  CHECK(view->state == GroupState::kStable);
  CHECK(view->protocol_type == "consumer");
  CHECK(view->assignor == "range");
  CHECK(view->generation == Generation(1));
  REQUIRE(view->classic_members.size() == 2);
  CHECK(view->classic_members[0].member_id == leader.member_id);
  CHECK(view->classic_members[0].client_id == "rdkafka");
  CHECK(view->classic_members[0].client_host == "/127.0.0.1");
  CHECK(view->classic_members[1].assignment == part);
  CHECK(view->classic_members[1].metadata == Subscription({"t"}));
  CHECK(groups->ActiveGroups().size() == 1);
}

TEST_CASE_FIXTURE(Fixture, "MEMBER_ID_REQUIRED hands out an id to join again with") {
  auto first = Start(groups->JoinClassic("g", KafkaJoin("", true)));
  REQUIRE(first->has_value());
  CHECK(CodeOf((*first)->status()) == ErrorCode::kMemberIdRequired);
  std::optional<std::string> id = RequiredMemberId((*first)->status());
  REQUIRE(id);
  auto second = Start(groups->JoinClassic("g", KafkaJoin(*id, true)));
  AdvanceTo(kT0 + milliseconds(100));
  REQUIRE(second->has_value());
  CHECK((**second)->member_id == *id);
  CHECK((**second)->leader_id == *id);
}

TEST_CASE_FIXTURE(Fixture, "a static member's restart fences its parked JoinGroup") {
  ClassicJoin join = KafkaJoin();
  join.group_instance_id = "pod-0";
  auto old_join = Start(groups->JoinClassic("g", join));
  auto new_join = Start(groups->JoinClassic("g", join));
  REQUIRE(old_join->has_value());
  CHECK(CodeOf((*old_join)->status()) == ErrorCode::kFencedInstanceId);
  CHECK_FALSE(new_join->has_value());
  AdvanceTo(kT0 + milliseconds(100));
  REQUIRE(new_join->has_value());
  CHECK((**new_join)->member_id.starts_with("pod-0-"));
  CHECK(groups->Describe("g")->classic_members.at(0).group_instance_id ==
        std::optional<std::string>("pod-0"));
}

TEST_CASE_FIXTURE(Fixture, "a second JoinGroup of the same member replaces the parked one") {
  auto a = Start(groups->JoinClassic("g", KafkaJoin()));
  auto c = Start(groups->JoinClassic("g", KafkaJoin()));
  AdvanceTo(kT0 + milliseconds(100));
  const std::string a_id = (**a)->member_id;
  const std::string c_id = (**c)->member_id;
  REQUIRE((**a)->leader_id == a_id);
  REQUIRE(Start(groups->SyncClassic("g", SyncOf(a_id, Generation(1))))->has_value());
  auto b = Start(groups->JoinClassic("g", KafkaJoin()));
  auto a_rejoin = Start(groups->JoinClassic("g", KafkaJoin(a_id)));
  CHECK_FALSE(a_rejoin->has_value());
  auto a_retry = Start(groups->JoinClassic("g", KafkaJoin(a_id)));
  REQUIRE(a_rejoin->has_value());
  CHECK(CodeOf((*a_rejoin)->status()) == ErrorCode::kRebalanceInProgress);
  CHECK_FALSE(a_retry->has_value());
  auto c_rejoin = Start(groups->JoinClassic("g", KafkaJoin(c_id)));
  REQUIRE(a_retry->has_value());  // Everyone has joined: generation 2.
  CHECK((**a_retry)->generation == Generation(2));
  CHECK((**a_retry)->members.size() == 3);
  REQUIRE(b->has_value());
  REQUIRE(c_rejoin->has_value());
}

TEST_CASE_FIXTURE(Fixture, "brook and Kafka members never share a group") {
  auto kafka = Start(groups->JoinClassic("kafka-group", KafkaJoin()));
  MemberJoin brook_join;
  brook_join.client_id = "brook-cli";
  brook_join.session_timeout = milliseconds(10'000);
  brook_join.rebalance_timeout = milliseconds(10'000);
  brook_join.topics = {"t"};
  brook_join.assignor = "range";
  auto refused = Start(groups->Join("kafka-group", brook_join));
  REQUIRE(refused->has_value());
  CHECK(CodeOf((*refused)->status()) == ErrorCode::kInconsistentGroupProtocol);
  CHECK(MessageOf((*refused)->status()).find("Kafka consumer group") != std::string_view::npos);

  auto brook = Start(groups->Join("brook-group", brook_join));
  auto refused_kafka = Start(groups->JoinClassic("brook-group", KafkaJoin()));
  REQUIRE(refused_kafka->has_value());
  CHECK(CodeOf((*refused_kafka)->status()) == ErrorCode::kInconsistentGroupProtocol);
  CHECK(MessageOf((*refused_kafka)->status()).find("brook consumer group") !=
        std::string_view::npos);
  AdvanceTo(kT0 + milliseconds(100));
  REQUIRE(kafka->has_value());
  REQUIRE(brook->has_value());
  CHECK(groups->Describe("brook-group")->kind == GroupKind::kBrook);

  // Once the Kafka member leaves, the empty group takes a brook member.
  const ClassicLeaver leaver{(**kafka)->member_id, std::nullopt};
  absl::StatusOr<std::vector<absl::Status>> left =
      groups->LeaveClassic("kafka-group", std::span(&leaver, 1));
  REQUIRE(left.ok());
  CHECK((*left)[0].ok());
  auto now_brook = Start(groups->Join("kafka-group", brook_join));
  AdvanceTo(kT0 + milliseconds(200));
  REQUIRE(now_brook->has_value());
  CHECK((*now_brook)->ok());
  CHECK(groups->Describe("kafka-group")->kind == GroupKind::kBrook);
  CHECK(CodeOf(groups->LeaveClassic("unknown", std::span(&leaver, 1)).status()) ==
        ErrorCode::kUnknownMemberId);
}

TEST_CASE_FIXTURE(Fixture, "commits to a Kafka group follow Kafka's rules") {
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  const storage::CommittedOffset commit{{"t", PartitionId(0)}, Offset(5), "", 0};
  // No group yet: a simple commit creates the offsets.
  CHECK(groups->Commit("g", "", std::nullopt, kNoGeneration, std::span(&commit, 1)).ok());
  CHECK(CodeOf(groups->Commit("g", "x", "instance", Generation(1), {})) ==
        ErrorCode::kUnknownMemberId);

  auto a = Start(groups->JoinClassic("g", KafkaJoin()));
  AdvanceTo(kT0 + milliseconds(100));
  const std::string a_id = (**a)->member_id;
  CHECK(CodeOf(groups->Commit("g", a_id, std::nullopt, Generation(1), std::span(&commit, 1))) ==
        ErrorCode::kRebalanceInProgress);
  CHECK(CodeOf(groups->Commit("g", "", std::nullopt, kNoGeneration, {})) ==
        ErrorCode::kUnknownMemberId);
  Start(groups->SyncClassic("g", SyncOf(a_id, Generation(1))));
  CHECK(groups->Commit("g", a_id, std::nullopt, Generation(1), std::span(&commit, 1)).ok());
  CHECK(CodeOf(groups->Commit("g", a_id, std::nullopt, Generation(2), {})) ==
        ErrorCode::kIllegalGeneration);
  // Deleting needs the members gone.
  CHECK(CodeOf(groups->DeleteGroup("g")) == ErrorCode::kNonEmptyGroup);
  const ClassicLeaver leaver{a_id, std::nullopt};
  REQUIRE(groups->LeaveClassic("g", std::span(&leaver, 1)).ok());
  CHECK(groups->Commit("g", "", std::nullopt, kNoGeneration, std::span(&commit, 1)).ok());
  CHECK(groups->Describe("g")->state == GroupState::kEmpty);
  CHECK(groups->Describe("g")->protocol_type == "consumer");
  CHECK(groups->DeleteGroup("g").ok());
}

TEST_CASE_FIXTURE(Fixture, "heartbeats and sessions through the coordinator's clock") {
  auto a = Start(groups->JoinClassic("g", KafkaJoin()));
  CHECK(CodeOf(groups->HeartbeatClassic("nope", "x", std::nullopt, Generation(0))) ==
        ErrorCode::kUnknownMemberId);
  AdvanceTo(kT0 + milliseconds(100));
  const std::string a_id = (**a)->member_id;
  Start(groups->SyncClassic("g", SyncOf(a_id, Generation(1))));
  CHECK(groups->HeartbeatClassic("g", a_id, std::nullopt, Generation(1)).ok());
  AdvanceTo(kT0 + milliseconds(10'099));
  CHECK(groups->Describe("g")->classic_members.size() == 1);
  AdvanceTo(kT0 + milliseconds(10'100));
  CHECK(groups->Describe("g")->classic_members.empty());
  CHECK(CodeOf(groups->HeartbeatClassic("g", a_id, std::nullopt, Generation(1))) ==
        ErrorCode::kUnknownMemberId);
}

TEST_CASE_FIXTURE(Fixture, "shutdown answers parked JoinGroups and SyncGroups, refuses new ones") {
  auto a = Start(groups->JoinClassic("g", KafkaJoin()));
  auto b = Start(groups->JoinClassic("g", KafkaJoin()));
  AdvanceTo(kT0 + milliseconds(100));
  const ClassicJoinResult& follower = (**a)->leader_id == (**a)->member_id ? ***b : ***a;
  auto sync = Start(groups->SyncClassic("g", SyncOf(follower.member_id, Generation(1))));
  auto joining = Start(groups->JoinClassic("h", KafkaJoin()));
  groups->Shutdown();
  Run();
  REQUIRE(sync->has_value());
  CHECK(CodeOf((*sync)->status()) == ErrorCode::kBrokerShuttingDown);
  REQUIRE(joining->has_value());
  CHECK(CodeOf((*joining)->status()) == ErrorCode::kBrokerShuttingDown);
  auto late = Start(groups->JoinClassic("g", KafkaJoin()));
  REQUIRE(late->has_value());
  CHECK(CodeOf((*late)->status()) == ErrorCode::kBrokerShuttingDown);
}

// brook's own DescribeGroups and ListGroups (the `brook group` commands) over a Kafka group.
struct AdminFixture : Fixture {
  FetchWaiters waiters;
  LogCleaner cleaner{*store, {}};
  std::atomic<bool> shutting_down{false};
  BrokerClock clock;
  faults::FaultRegistry faults{{}};
  BrokerContext ctx{*store, waiters, *groups, cleaner, config, shutting_down, clock, faults};
  RequestScope scope;

  template <class Response>
  Response Handle(HandlerResult<Response> op) {
    auto result = Start(std::move(op));
    REQUIRE(result->has_value());
    REQUIRE((*result)->ok());
    return ***result;
  }
};

TEST_CASE_FIXTURE(AdminFixture, "brook's DescribeGroups decodes a Kafka group's bytes") {
  REQUIRE(store->CreateTopic("t", 3, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), testing::MakeBatch({"a", "b", "c", "d"})).ok());
  auto a = Start(groups->JoinClassic("g", KafkaJoin()));
  AdvanceTo(kT0 + milliseconds(100));
  const std::string a_id = (**a)->member_id;
  Start(groups->SyncClassic(
      "g", SyncOf(a_id, Generation(1), {{a_id, Assignment({{"t", {2, 0}}})}})));
  const storage::CommittedOffset commit{{"t", PartitionId(0)}, Offset(1), "", 0};
  REQUIRE(groups->Commit("g", a_id, std::nullopt, Generation(1), std::span(&commit, 1)).ok());

  DescribeGroupsResponse described = Handle(HandleDescribeGroups(ctx, {{"g"}}, scope));
  REQUIRE(described.groups.size() == 1);
  const DescribeGroupsResponse::Group& g = described.groups[0];
  CHECK(g.error_code == ErrorCode::kNone);
  CHECK(g.state == "Stable");
  CHECK(g.assignor == "range");
  CHECK(g.generation_id == 1);
  REQUIRE(g.members.size() == 1);
  CHECK(g.members[0].member_id == a_id);
  CHECK(g.members[0].client_id == "rdkafka");
  CHECK(g.members[0].topics == std::vector<std::string>{"t"});
  REQUIRE(g.members[0].assignment.size() == 1);
  CHECK(g.members[0].assignment[0].partitions == std::vector<int32_t>{0, 2});
  REQUIRE(g.offsets.size() == 1);
  REQUIRE(g.offsets[0].partitions.size() == 2);  // 0 (committed, assigned) and 2 (assigned).
  CHECK(g.offsets[0].partitions[0].committed_offset == 1);
  CHECK(g.offsets[0].partitions[0].lag == 3);
  CHECK(g.offsets[0].partitions[1].committed_offset == -1);

  ListGroupsResponse listed = Handle(HandleListGroups(ctx, {}, scope));
  REQUIRE(listed.groups.size() == 1);
  CHECK(listed.groups[0].state == "Stable");
  CHECK(listed.groups[0].members == 1);

  // A rebalance in progress shows Kafka's state names.
  auto b = Start(groups->JoinClassic("g", KafkaJoin()));
  CHECK(Handle(HandleDescribeGroups(ctx, {{"g"}}, scope)).groups[0].state == "PreparingRebalance");
  Start(groups->JoinClassic("g", KafkaJoin(a_id)));
  CHECK(Handle(HandleDescribeGroups(ctx, {{"g"}}, scope)).groups[0].state == "CompletingRebalance");
}

}  // namespace
}  // namespace brook::group
