// Group consumers (Consumer::Subscribe) against a real broker (EmbeddedBroker) over TCP:
// sharing partitions, handing them over on close / expiry / join, commits, offset reset,
// cooperative vs eager rebalancing, and fencing of a zombie member.
#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "tests/support/raw_client.h"
#include "tests/support/embedded_fixture.h"

namespace brook {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Partitions = std::vector<TopicPartition>;

TopicPartition TP(const std::string& topic, int32_t partition) {
  return {topic, PartitionId(partition)};
}

// Polls `pred` every 10 ms until it holds or `timeout` passes; returns its last value.
bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 20s) {
  const auto give_up = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() > give_up) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// Polls until `n` records have arrived and `also()` holds (20 s at most); returns their offsets.
std::vector<int64_t> Receive(Consumer& consumer, size_t n,
                             const std::function<bool()>& also = [] { return true; }) {
  std::vector<int64_t> offsets;
  WaitFor([&] {
    auto records = consumer.Poll(50ms);
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) offsets.push_back(r.offset);
    return offsets.size() >= n && also();
  });
  return offsets;
}

EmbeddedBrokerOptions GroupBrokerOptions() {
  EmbeddedBrokerOptions options;
  options.config.group_initial_rebalance_delay = 0ms;
  return options;
}

// Fast group settings: short sessions, frequent heartbeats.
ConsumerOptions GroupOptions(const std::string& bootstrap, const std::string& group) {
  ConsumerOptions options;
  options.bootstrap = bootstrap;
  options.group_id = group;
  options.auto_offset_reset = OffsetReset::kEarliest;
  options.session_timeout = 1500ms;
  options.heartbeat_interval = 100ms;
  options.rebalance_timeout = 3000ms;
  options.auto_commit_interval = 200ms;
  options.fetch_max_wait = 200ms;
  return options;
}

// Every (partition, offset) received by any member, with how often.
class Tally {
 public:
  void Add(const ConsumerRecords& records) {
    std::lock_guard lock(mu_);
    for (const ConsumerRecord& r : records) ++seen_[{r.partition, r.offset}];
  }
  size_t distinct() const {
    std::lock_guard lock(mu_);
    return seen_.size();
  }
  int max_count() const {
    std::lock_guard lock(mu_);
    int m = 0;
    for (const auto& [key, n] : seen_) m = std::max(m, n);
    return m;
  }
  bool has(int32_t partition, int64_t offset) const {
    std::lock_guard lock(mu_);
    return seen_.contains({partition, offset});
  }

 private:
  mutable std::mutex mu_;
  std::map<std::pair<int32_t, int64_t>, int> seen_;
};

// One group consumer on its own thread: Subscribe, Poll in a loop until Stop(), then Close.
// The test thread reads its assignment and callback history.
class Member {
 public:
  struct Event {
    std::string kind;  // "assigned", "revoked", "lost"
    Partitions partitions;
    Clock::time_point at;
  };

  Member(ConsumerOptions options, std::vector<std::string> topics, Tally* tally)
      : tally_(tally) {
    thread_ = std::thread([this, options = std::move(options), topics = std::move(topics)] {
      Run(options, topics);
    });
  }
  ~Member() { Stop(); }

  // Stops polling, closes the consumer (commit, on_revoked, LeaveGroup) and joins the thread.
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  Partitions assignment() const {
    std::lock_guard lock(mu_);
    return assignment_;
  }
  std::vector<Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> errors() const {
    std::lock_guard lock(mu_);
    return errors_;
  }
  // When Close() was called / returned.
  Clock::time_point close_started() const {
    std::lock_guard lock(mu_);
    return close_started_;
  }
  Clock::time_point closed_at() const {
    std::lock_guard lock(mu_);
    return closed_at_;
  }
  // Partitions named by events of `kind` at or after `since`.
  Partitions EventPartitions(const std::string& kind, Clock::time_point since = {}) const {
    Partitions out;
    for (const Event& e : events()) {
      if (e.kind == kind && e.at >= since) out.insert(out.end(), e.partitions.begin(), e.partitions.end());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  void Run(const ConsumerOptions& options, const std::vector<std::string>& topics) {
    auto consumer = Consumer::Create(options);
    if (!consumer.ok()) return Error(consumer.status());
    auto record = [this](std::string kind) {
      return [this, kind](const Partitions& partitions) {
        std::lock_guard lock(mu_);
        events_.push_back({kind, partitions, Clock::now()});
      };
    };
    absl::Status status = (*consumer)->Subscribe(
        topics, {.on_assigned = record("assigned"), .on_revoked = record("revoked"),
                 .on_lost = record("lost")});
    if (!status.ok()) return Error(status);
    while (!stop_) {
      auto records = (*consumer)->Poll(100ms);
      if (!records.ok()) {
        Error(records.status());
        continue;
      }
      tally_->Add(*records);
      std::lock_guard lock(mu_);
      assignment_ = (*consumer)->Assignment();
    }
    {
      std::lock_guard lock(mu_);
      close_started_ = Clock::now();
    }
    (*consumer)->Close();
    std::lock_guard lock(mu_);
    closed_at_ = Clock::now();
    assignment_.clear();
  }
  void Error(const absl::Status& status) {
    std::lock_guard lock(mu_);
    errors_.emplace_back(MessageOf(status));
  }

  Tally* tally_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  Partitions assignment_;
  std::vector<Event> events_;
  std::vector<std::string> errors_;
  Clock::time_point close_started_;
  Clock::time_point closed_at_;
  std::thread thread_;
};

// Each member owns `each` partitions and together they own `total` distinct ones.
bool Balanced(const std::vector<Member*>& members, size_t each, size_t total) {
  std::set<TopicPartition> all;
  for (Member* m : members) {
    Partitions a = m->assignment();
    if (a.size() != each) return false;
    all.insert(a.begin(), a.end());
  }
  return all.size() == total;
}

// When the last on_assigned among `members` at or after `since` ran.
Clock::time_point LastAssigned(const std::vector<Member*>& members, Clock::time_point since) {
  Clock::time_point last = since;
  for (Member* m : members) {
    for (const Member::Event& e : m->events()) {
      if (e.kind == "assigned" && e.at >= since) last = std::max(last, e.at);
    }
  }
  return last;
}

int64_t Millis(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

struct GroupFixture : testing::EmbeddedFixture {
  GroupFixture() : EmbeddedFixture(GroupBrokerOptions()) {}
  void CreateTopic(const std::string& name, int32_t partitions) {
    REQUIRE(admin->CreateTopic({.name = name, .partitions = partitions}).ok());
  }
  // Appends `per_partition` records to each of the topic's partitions and waits for them.
  void Produce(const std::string& topic, int32_t partitions, int per_partition) {
    for (int i = 0; i < per_partition; ++i) {
      for (int32_t p = 0; p < partitions; ++p) {
        producer->Send({.topic = topic, .partition = p, .value = "v"}, nullptr);
      }
    }
    REQUIRE(producer->Flush().ok());
  }
  ConsumerOptions Options(const std::string& group) {
    return GroupOptions(broker.bootstrap(), group);
  }
  // Creates "orders" (6 partitions) with `per_partition` records in each, and starts `n`
  // members of one group subscribed to it; returns once each owns 6 / n partitions.
  std::vector<std::unique_ptr<Member>> StartMembers(size_t n, const ConsumerOptions& options,
                                                    Tally* tally, int per_partition = 0) {
    CreateTopic("orders", 6);
    if (per_partition > 0) Produce("orders", 6, per_partition);
    std::vector<std::unique_ptr<Member>> members;
    std::vector<Member*> view;
    for (size_t i = 0; i < n; ++i) {
      members.push_back(
          std::make_unique<Member>(options, std::vector<std::string>{"orders"}, tally));
      view.push_back(members.back().get());
    }
    REQUIRE(WaitFor([&] { return Balanced(view, 6 / n, 6); }));
    return members;
  }
  std::unique_ptr<Consumer> MakeConsumer(const ConsumerOptions& options) {
    auto c = Consumer::Create(options);
    REQUIRE(c.ok());
    return *std::move(c);
  }
};

TEST_CASE_FIXTURE(GroupFixture,
                  "three members share six partitions 2/2/2 and receive every record once") {
  Tally tally;
  auto members = StartMembers(3, Options("g"), &tally, 100);
  Member &a = *members[0], &b = *members[1], &c = *members[2];
  Produce("orders", 6, 100);
  CHECK(WaitFor([&] { return tally.distinct() == 1200; }));
  a.Stop();
  b.Stop();
  c.Stop();
  CHECK(tally.distinct() == 1200);
  CHECK(tally.max_count() == 1);
  for (Member* m : {&a, &b, &c}) CHECK(m->errors().empty());
}

TEST_CASE_FIXTURE(GroupFixture,
                  "a member that closes hands its partitions over; the others resume from its "
                  "commits") {
  Tally tally;
  auto members = StartMembers(3, Options("g"), &tally, 50);
  Member &a = *members[0], &b = *members[1], &c = *members[2];
  REQUIRE(WaitFor([&] { return tally.distinct() == 300; }));
  const Partitions c_owned = c.assignment();

  c.Stop();
  // (From the start of Close: the others may get the partitions before it returns.)
  const Clock::time_point closing = c.close_started();
  REQUIRE(WaitFor([&] { return Balanced({&a, &b}, 3, 6); }));
  MESSAGE("Close() took ", Millis(c.closed_at() - closing),
          " ms; Close() called -> the others' on_assigned: ",
          Millis(LastAssigned({&a, &b}, closing) - closing), " ms");

  CHECK(c.EventPartitions("revoked", closing) == c_owned);
  CHECK(c.EventPartitions("lost").empty());
  Partitions taken_over = a.EventPartitions("assigned", closing);
  Partitions from_b = b.EventPartitions("assigned", closing);
  taken_over.insert(taken_over.end(), from_b.begin(), from_b.end());
  std::sort(taken_over.begin(), taken_over.end());
  CHECK(taken_over == c_owned);

  Produce("orders", 6, 50);
  CHECK(WaitFor([&] { return tally.distinct() == 600; }));
  a.Stop();
  b.Stop();
  CHECK(tally.max_count() == 1);  // C committed on close: nothing is read twice.
}

// A raw-protocol member: joins once, commits, then goes silent (no heartbeats, no leave).
struct SilentMember {
  testing::RawClient client;
  JoinGroupResponse joined;
  explicit SilentMember(const std::string& bootstrap) : client(bootstrap) {}

  bool Join(const std::string& group, const std::string& topic) {
    JoinGroupRequest join;
    join.group_id = group;
    join.session_timeout_ms = 1000;
    join.rebalance_timeout_ms = 1000;
    join.topics = {topic};
    join.assignor = std::string(kRangeAssignor);
    if (!client.Send(join, 1)) return false;
    auto payload = client.ReadFrame(20000);
    if (!payload) return false;
    std::string_view body;
    auto header = ParseResponseHeader(*payload, &body);
    if (!header.ok() || header->error_code != ErrorCode::kNone) return false;
    auto decoded = DecodeMessage<JoinGroupResponse>(body, 0);
    if (!decoded.ok()) return false;
    joined = *std::move(decoded);
    return true;
  }
  bool Commit(const std::string& group, const std::string& topic, int64_t offset) {
    OffsetCommitRequest commit;
    commit.group_id = group;
    commit.generation_id = joined.generation_id;
    commit.member_id = joined.member_id;
    commit.topics.push_back({topic, {}});
    for (const TopicPartitions& t : joined.assignment) {
      for (int32_t p : t.partitions) commit.topics[0].partitions.push_back({p, offset, std::nullopt});
    }
    if (!client.Send(commit, 2)) return false;
    auto payload = client.ReadFrame();
    std::string_view body;
    return payload && ParseResponseHeader(*payload, &body).ok() &&
           ParseResponseHeader(*payload, &body)->error_code == ErrorCode::kNone;
  }
};

TEST_CASE_FIXTURE(GroupFixture,
                  "a member that stops heartbeating loses its partitions after its session "
                  "timeout; the others read what it had not committed") {
  Tally tally;
  ConsumerOptions options = Options("g");
  options.assignor = "range";
  auto members = StartMembers(2, options, &tally);
  Member &a = *members[0], &b = *members[1];

  SilentMember silent(broker.bootstrap());
  REQUIRE(silent.Join("g", "orders"));  // Answered once a and b have rejoined.
  REQUIRE(silent.joined.assignment.size() == 1);
  const std::vector<int32_t> silent_partitions = silent.joined.assignment[0].partitions;
  CHECK(silent_partitions.size() == 2);
  REQUIRE(silent.Commit("g", "orders", 3));  // As if it had processed offsets 0..2.
  const Clock::time_point silent_since = Clock::now();
  REQUIRE(WaitFor([&] { return Balanced({&a, &b}, 2, 4); }));
  Produce("orders", 6, 10);

  REQUIRE(WaitFor([&] { return Balanced({&a, &b}, 3, 6); }));
  MESSAGE("silent member -> the others' on_assigned: ",
          Millis(LastAssigned({&a, &b}, silent_since) - silent_since),
          " ms (session timeout 1000 ms)");
  CHECK(WaitFor([&] { return tally.distinct() == 60 - 2 * 3; }));
  a.Stop();
  b.Stop();
  CHECK(tally.max_count() == 1);
  for (int32_t p = 0; p < 6; ++p) {
    const bool silents = std::find(silent_partitions.begin(), silent_partitions.end(), p) !=
                         silent_partitions.end();
    for (int64_t o = 0; o < 10; ++o) CHECK(tally.has(p, o) == (!silents || o >= 3));
  }
}

TEST_CASE_FIXTURE(GroupFixture, "Commit, CommitAsync and Committed round trip") {
  CreateTopic("t", 1);
  Produce("t", 1, 10);
  ConsumerOptions options = Options("g");
  options.enable_auto_commit = false;
  const TopicPartition tp = TP("t", 0);
  {
    auto consumer = MakeConsumer(options);
    REQUIRE(consumer->Subscribe({"t"}).ok());
    REQUIRE(Receive(*consumer, 10).size() == 10);
    CHECK(!consumer->member_id().empty());
    CHECK(consumer->generation_id() >= 1);
    CHECK(consumer->Assignment() == Partitions{tp});

    auto committed = consumer->Committed(tp);
    REQUIRE(committed.ok());
    CHECK_FALSE(committed->has_value());
    REQUIRE(consumer->Commit().ok());
    CHECK(*consumer->Committed(tp) == std::optional<int64_t>(10));
    REQUIRE(consumer->Commit({{tp, 4}}).ok());
    CHECK(*consumer->Committed(tp) == std::optional<int64_t>(4));

    std::optional<absl::Status> async;
    consumer->CommitAsync([&](absl::Status s) { async = s; });
    CHECK_FALSE(async.has_value());  // Runs inside a later Poll / Commit / Close.
    REQUIRE(WaitFor([&] {
      REQUIRE(consumer->Poll(10ms).ok());
      return async.has_value();
    }));
    CHECK(async->ok());
    CHECK(*consumer->Committed(tp) == std::optional<int64_t>(10));
    consumer->Close();
  }
  // A new member of the group starts from the committed offset.
  Produce("t", 1, 5);
  auto next = MakeConsumer(options);
  REQUIRE(next->Subscribe({"t"}).ok());
  CHECK(Receive(*next, 5) == std::vector<int64_t>{10, 11, 12, 13, 14});
}

TEST_CASE_FIXTURE(GroupFixture, "auto-commit commits at its interval and on Close") {
  CreateTopic("t", 1);
  Produce("t", 1, 10);
  const TopicPartition tp = TP("t", 0);
  ConsumerOptions observer_options = Options("g");
  auto observer = MakeConsumer(observer_options);  // Not subscribed: reads commits only.
  auto committed = [&] { return *observer->Committed(tp); };

  ConsumerOptions options = Options("g");
  options.auto_commit_interval = 200ms;
  auto consumer = MakeConsumer(options);
  REQUIRE(consumer->Subscribe({"t"}).ok());
  CHECK(Receive(*consumer, 10, [&] { return committed() == std::optional<int64_t>(10); })
            .size() == 10);
  CHECK(committed() == std::optional<int64_t>(10));
  consumer->Close();

  options.auto_commit_interval = std::chrono::hours(1);  // Only Close commits.
  consumer = MakeConsumer(options);
  REQUIRE(consumer->Subscribe({"t"}).ok());
  Produce("t", 1, 5);
  REQUIRE(Receive(*consumer, 5).size() == 5);
  CHECK(committed() == std::optional<int64_t>(10));
  consumer->Close();
  CHECK(committed() == std::optional<int64_t>(15));
}

TEST_CASE_FIXTURE(GroupFixture, "auto_offset_reset applies to a group without commits") {
  CreateTopic("t", 1);
  Produce("t", 1, 5);
  auto first_offset = [&](const std::string& group, OffsetReset reset,
                          bool produce_while_polling) -> absl::StatusOr<int64_t> {
    ConsumerOptions options = Options(group);
    options.auto_offset_reset = reset;
    auto consumer = MakeConsumer(options);
    REQUIRE(consumer->Subscribe({"t"}).ok());
    for (int i = 0; i < 100; ++i) {
      auto records = consumer->Poll(100ms);
      if (!records.ok()) return records.status();
      if (!records->empty()) return (*records)[0].offset;
      if (produce_while_polling && !consumer->Assignment().empty()) Produce("t", 1, 1);
    }
    return MakeError(ErrorCode::kRequestTimedOut, "nothing received");
  };
  CHECK(*first_offset("earliest", OffsetReset::kEarliest, false) == 0);
  auto latest = first_offset("latest", OffsetReset::kLatest, true);
  REQUIRE(latest.ok());
  CHECK(*latest >= 5);
  CHECK(CodeOf(first_offset("none", OffsetReset::kNone, false).status()) ==
        ErrorCode::kOffsetOutOfRange);

  // A committed offset outside the log is reset too (Fetch answers OFFSET_OUT_OF_RANGE).
  ConsumerOptions tool_options = Options("beyond");
  auto tool = MakeConsumer(tool_options);  // Commits from outside the (empty) group.
  REQUIRE(tool->Commit({{TP("t", 0), 1000}}).ok());
  CHECK(*first_offset("beyond", OffsetReset::kEarliest, false) == 0);
}

TEST_CASE_FIXTURE(GroupFixture,
                  "cooperative-sticky: a joining member takes only the partitions it needs") {
  Tally tally;
  auto members = StartMembers(3, Options("g"), &tally);
  Member &a = *members[0], &b = *members[1], &c = *members[2];
  std::map<Member*, Partitions> before;
  for (Member* m : {&a, &b, &c}) before[m] = m->assignment();
  const Clock::time_point joined = Clock::now();

  Member d(Options("g"), {"orders"}, &tally);
  REQUIRE(WaitFor([&] {
    std::set<TopicPartition> all;
    std::multiset<size_t> sizes;
    for (Member* m : {&a, &b, &c, &d}) {
      Partitions p = m->assignment();
      all.insert(p.begin(), p.end());
      sizes.insert(p.size());
    }
    return all.size() == 6 && sizes == std::multiset<size_t>{1, 1, 2, 2};
  }));
  // Only what d needs moves: each partition d got was revoked by exactly one old member,
  // and a member that kept all its partitions saw no on_revoked.
  Partitions moved;
  for (Member* m : {&a, &b, &c}) {
    const Partitions now = m->assignment();
    const Partitions revoked = m->EventPartitions("revoked", joined);
    CHECK(std::includes(before[m].begin(), before[m].end(), now.begin(), now.end()));
    CHECK(m->EventPartitions("lost").empty());
    CHECK(m->EventPartitions("assigned", joined).empty());
    CHECK(revoked.size() == before[m].size() - now.size());
    if (now == before[m]) CHECK(revoked.empty());
    moved.insert(moved.end(), revoked.begin(), revoked.end());
  }
  std::sort(moved.begin(), moved.end());
  CHECK(moved == d.assignment());
  CHECK(d.EventPartitions("assigned") == d.assignment());
  CHECK(d.EventPartitions("revoked").empty());
}

TEST_CASE_FIXTURE(GroupFixture, "eager range: every member revokes everything and is reassigned") {
  Tally tally;
  ConsumerOptions options = Options("g");
  options.assignor = "range";
  auto members = StartMembers(2, options, &tally);
  Member &a = *members[0], &b = *members[1];
  std::map<Member*, Partitions> before;
  for (Member* m : {&a, &b}) before[m] = m->assignment();
  const Clock::time_point joined = Clock::now();

  Member c(options, {"orders"}, &tally);
  REQUIRE(WaitFor([&] { return Balanced({&a, &b, &c}, 2, 6); }));
  for (Member* m : {&a, &b}) {
    CHECK(m->EventPartitions("revoked", joined) == before[m]);
    CHECK(m->EventPartitions("assigned", joined) == m->assignment());
  }
}

TEST_CASE_FIXTURE(GroupFixture,
                  "a member whose revoke commit is fenced keeps the assignment of its next join") {
  CreateTopic("t", 2);
  Produce("t", 2, 5);
  ConsumerOptions options = Options("g");
  options.assignor = "range";  // Eager: a rejoin revokes (auto-committing) before it joins.
  options.session_timeout = 30000ms;
  options.heartbeat_interval = 20000ms;  // No heartbeat reports the removal first.
  std::vector<std::string> lost;
  Consumer::RebalanceCallbacks callbacks{
      .on_assigned = {}, .on_revoked = {},
      .on_lost = [&](const Partitions& p) { lost.push_back(std::to_string(p.size())); }};
  auto consumer = MakeConsumer(options);
  REQUIRE(consumer->Subscribe({"t"}, callbacks).ok());
  REQUIRE(Receive(*consumer, 10).size() == 10);

  // Removed behind its back: the commit of its next revoke gets UNKNOWN_MEMBER_ID.
  testing::RawClient raw(broker.bootstrap());
  REQUIRE(raw.Send(LeaveGroupRequest{"g", consumer->member_id()}, 1));
  auto left = raw.ReadFrame();
  REQUIRE(left.has_value());
  auto reply = testing::DecodeReply<LeaveGroupResponse>(*left);
  REQUIRE(reply.has_value());
  REQUIRE(reply->first.error_code == ErrorCode::kNone);

  REQUIRE(consumer->Subscribe({"t"}, callbacks).ok());  // Rejoin: revoke (fenced), join anew.
  Produce("t", 2, 5);
  CHECK(Receive(*consumer, 10).size() >= 10);  // The new assignment is consumed, not dropped.
  CHECK(consumer->Assignment() == Partitions{TP("t", 0), TP("t", 1)});
  CHECK(lost.empty());  // The revoke already gave the old partitions up.
}

TEST_CASE_FIXTURE(GroupFixture,
                  "a zombie that stopped polling is fenced from committing and rejoins on its "
                  "next Poll") {
  CreateTopic("t", 2);
  Produce("t", 2, 5);
  ConsumerOptions options = Options("g");
  options.rebalance_timeout = 1000ms;  // Also the longest time between Polls.
  options.enable_auto_commit = false;
  std::vector<std::string> events;
  auto zombie = MakeConsumer(options);
  REQUIRE(zombie
              ->Subscribe({"t"}, {.on_assigned = [&](const Partitions&) { events.push_back("assigned"); },
                                  .on_revoked = [&](const Partitions&) { events.push_back("revoked"); },
                                  .on_lost = [&](const Partitions&) { events.push_back("lost"); }})
              .ok());
  REQUIRE(WaitFor([&] {
    REQUIRE(zombie->Poll(50ms).ok());
    return zombie->Assignment().size() == 2;
  }));
  const std::string first_id = zombie->member_id();
  const int32_t first_generation = zombie->generation_id();

  Tally tally;
  Member survivor(options, {"t"}, &tally);
  REQUIRE(WaitFor([&] { return survivor.assignment().size() == 2; }));  // The zombie left.

  absl::Status commit = zombie->Commit({{TP("t", 0), 1}});
  CHECK((CodeOf(commit) == ErrorCode::kUnknownMemberId ||
         CodeOf(commit) == ErrorCode::kIllegalGeneration));
  REQUIRE(WaitFor([&] {
    REQUIRE(zombie->Poll(50ms).ok());
    return zombie->Assignment().size() == 1 && survivor.assignment().size() == 1;
  }));
  CHECK(zombie->member_id() != first_id);
  CHECK(zombie->generation_id() > first_generation);
  CHECK(std::find(events.begin(), events.end(), "lost") != events.end());
  survivor.Stop();
}

}  // namespace
}  // namespace brook
