#include "broker/group/group_coordinator.h"

#include <atomic>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "broker/group/group_coordinator_internal.h"
#include "fmt/format.h"
#include "protocol/consumer_protocol.h"
#include "protocol/error_codes.h"

namespace brook::group {
namespace asio = boost::asio;
namespace {

constexpr std::chrono::milliseconds kSweepInterval{50};

}  // namespace

absl::Status ShuttingDown() {
  return MakeError(ErrorCode::kBrokerShuttingDown, "the broker is shutting down");
}

absl::Status UnknownMemberOf(std::string_view group_id, std::string_view member_id) {
  return MakeError(ErrorCode::kUnknownMemberId,
                   fmt::format("member '{}' is not in group '{}': join again with an empty "
                               "member id",
                               member_id, group_id));
}

std::string_view KindName(GroupKind kind) {
  return kind == GroupKind::kKafkaClassic ? "kafka" : "brook";
}

// Calls `tick` every kSweepInterval on its own strand until stopped.
class GroupCoordinator::Sweeper {
 public:
  Sweeper(asio::io_context& io, std::function<void()> tick)
      : strand_(asio::make_strand(io)), timer_(strand_), tick_(std::move(tick)) {}

  void Arm() {
    timer_.expires_after(kSweepInterval);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped_.load()) return;
      tick_();
      Arm();
    });
  }
  void Stop() {
    if (stopped_.exchange(true)) return;
    asio::post(strand_, [this] { timer_.cancel(); });
  }

 private:
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  std::function<void()> tick_;
  std::atomic<bool> stopped_{false};
};

GroupCoordinator::RebalanceWatch::~RebalanceWatch() { owner_->Unwatch(group_id_, id_); }

GroupCoordinator::GroupCoordinator(storage::LogStore& store, const BrokerConfig& config,
                                   std::function<Clock::time_point()> clock)
    : store_(store),
      config_(config),
      clock_(clock ? std::move(clock) : std::function<Clock::time_point()>(Clock::now)),
      random_(std::random_device{}()) {}

GroupCoordinator::~GroupCoordinator() = default;

void GroupCoordinator::Start(asio::io_context& io) {
  sweeper_ = std::make_unique<Sweeper>(io, [this] { SettleAll(); });
  sweeper_->Arm();
}

void GroupCoordinator::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    for (auto& [id, entry] : groups_) {
      AnswerAll(entry->joins, ShuttingDown());
      AnswerAll(entry->classic_joins, ShuttingDown());
      AnswerAll(entry->classic_syncs, ShuttingDown());
    }
    WakeEveryWatch();
  }
  if (sweeper_) sweeper_->Stop();
}

absl::Status GroupCoordinator::ValidateJoinBasics(
    std::string_view group_id, std::chrono::milliseconds session_timeout,
    std::chrono::milliseconds rebalance_timeout) const {
  if (absl::Status s = ValidateGroupId(group_id); !s.ok()) return s;
  if (session_timeout < config_.group_min_session_timeout ||
      session_timeout > config_.group_max_session_timeout) {
    return MakeError(ErrorCode::kInvalidSessionTimeout,
                     fmt::format("session timeout {} ms is outside the broker's range {}-{} ms",
                                 session_timeout.count(),
                                 config_.group_min_session_timeout.count(),
                                 config_.group_max_session_timeout.count()));
  }
  if (rebalance_timeout.count() < 0) {
    return MakeError(ErrorCode::kInvalidRequest, "rebalance timeout must be >= 0");
  }
  return absl::OkStatus();
}

absl::Status GroupCoordinator::ValidateJoin(std::string_view group_id,
                                            const MemberJoin& join) const {
  if (absl::Status s = ValidateJoinBasics(group_id, join.session_timeout, join.rebalance_timeout);
      !s.ok()) {
    return s;
  }
  if (join.topics.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "a member subscribes to at least one topic");
  }
  if (FindAssignor(join.assignor) == nullptr) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("unknown assignor '{}' (range, roundrobin, cooperative-sticky)",
                                 join.assignor));
  }
  return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<JoinResult>> GroupCoordinator::Join(std::string group_id,
                                                                   MemberJoin join) {
  if (absl::Status s = ValidateJoin(group_id, join); !s.ok()) co_return s;
  co_return co_await JoinAndWait<JoinResult>(
      std::move(group_id), GroupKind::kBrook,
      [&](Entry& entry, Clock::time_point now, std::shared_ptr<Parked<JoinResult>> wait)
          -> std::optional<absl::StatusOr<JoinResult>> {
        mu_.AssertHeld();  // JoinAndWait runs this under mu_ (for clang's lock analysis).
        join.new_member = join.member_id.empty();
        if (join.new_member) join.member_id = NewMemberId(entry.group, join.client_id);
        const std::string member_id = join.member_id;
        if (absl::Status s = entry.group.Join(std::move(join), now); !s.ok()) return s;
        entry.kind = GroupKind::kBrook;
        Park(entry.joins, member_id, std::move(wait));
        return std::nullopt;
      });
}

absl::Status GroupCoordinator::CheckActive(std::string_view group_id, std::string_view member_id,
                                           Generation generation) {
  return OnKnownGroup(group_id, member_id, [&](Entry& entry, Clock::time_point now) {
    return entry.group.CheckActive(member_id, generation, now);
  });
}

std::unique_ptr<GroupCoordinator::RebalanceWatch> GroupCoordinator::WatchRebalance(
    std::string_view group_id, std::function<void()> wake) {
  absl::MutexLock lock(&mu_);
  const uint64_t id = next_watch_id_++;
  watches_[std::string(group_id)].emplace(id, std::move(wake));
  return std::make_unique<RebalanceWatch>(this, std::string(group_id), id);
}

void GroupCoordinator::Unwatch(const std::string& group_id, uint64_t id) {
  absl::MutexLock lock(&mu_);
  auto it = watches_.find(group_id);
  if (it == watches_.end()) return;
  it->second.erase(id);
  if (it->second.empty()) watches_.erase(it);
}

absl::Status GroupCoordinator::Leave(std::string_view group_id, std::string_view member_id) {
  return OnKnownGroup(group_id, member_id, [&](Entry& entry, Clock::time_point now) {
    return entry.group.Leave(member_id, now);
  });
}

absl::Status GroupCoordinator::Commit(std::string_view group_id, std::string_view member_id,
                                      Generation generation,
                                      std::span<const storage::CommittedOffset> commits) {
  return Commit(group_id, member_id, std::nullopt, generation, commits);
}

absl::Status GroupCoordinator::Commit(std::string_view group_id, std::string_view member_id,
                                      std::optional<std::string_view> group_instance_id,
                                      Generation generation,
                                      std::span<const storage::CommittedOffset> commits) {
  return CommitWith(group_id, member_id, group_instance_id, generation, [&] {
    return commits.empty() ? absl::OkStatus() : store_.offsets().Commit(group_id, commits);
  });
}

absl::Status GroupCoordinator::CommitWith(std::string_view group_id, std::string_view member_id,
                                          Generation generation,
                                          absl::FunctionRef<absl::Status()> write) {
  return CommitWith(group_id, member_id, std::nullopt, generation, write);
}

absl::Status GroupCoordinator::CommitWith(std::string_view group_id, std::string_view member_id,
                                          std::optional<std::string_view> group_instance_id,
                                          Generation generation,
                                          absl::FunctionRef<absl::Status()> write) {
  absl::MutexLock lock(&mu_);
  if (absl::Status allowed = CheckCommit(group_id, member_id, group_instance_id, generation);
      !allowed.ok()) {
    return allowed;
  }
  return write();
}

absl::Status GroupCoordinator::CheckCommit(std::string_view group_id, std::string_view member_id,
                                           std::optional<std::string_view> group_instance_id,
                                           Generation generation) {
  const auto now = Now();
  Entry* entry = Find(group_id);
  if (entry == nullptr) {
    // A group without live state: the same rules as for a brook group without members.
    if (group_instance_id) return UnknownMemberOf(group_id, member_id);
    return Group(std::string(group_id), {}).CheckCommit(member_id, generation, now);
  }
  Settle(*entry, now);
  if (entry->kind == GroupKind::kKafkaClassic) {
    return entry->classic.CheckCommit(member_id, group_instance_id, generation);
  }
  return entry->group.CheckCommit(member_id, generation, now);
}

void GroupCoordinator::OnTopicChanged(std::string_view topic) {
  absl::MutexLock lock(&mu_);
  const auto now = Now();
  for (auto& [id, entry] : groups_) {
    Settle(*entry, now);
    entry->group.OnTopicChanged(topic, now);
    Settle(*entry, now);
  }
}

std::optional<GroupView> GroupCoordinator::Describe(std::string_view group_id) {
  absl::MutexLock lock(&mu_);
  Entry* entry = Find(group_id);
  if (entry == nullptr) return std::nullopt;
  Settle(*entry, Now());
  return ViewOf(*entry);
}

std::vector<GroupView> GroupCoordinator::ActiveGroups() {
  std::vector<GroupView> views = AllGroups();
  std::erase_if(views, [](const GroupView& view) { return view.member_count() == 0; });
  return views;
}

std::vector<GroupView> GroupCoordinator::AllGroups() {
  absl::MutexLock lock(&mu_);
  const auto now = Now();
  std::vector<GroupView> views;
  for (auto& [id, entry] : groups_) {
    Settle(*entry, now);
    views.push_back(ViewOf(*entry));
  }
  return views;
}

absl::Status GroupCoordinator::DeleteGroup(std::string_view group_id) {
  absl::MutexLock lock(&mu_);
  Entry* entry = Find(group_id);
  if (entry != nullptr) {
    Settle(*entry, Now());
    const GroupView view = ViewOf(*entry);
    if (view.member_count() > 0) {
      return MakeError(ErrorCode::kNonEmptyGroup,
                       fmt::format("group '{}' has {} live member(s): stop them first", group_id,
                                   view.member_count()));
    }
    groups_.erase(groups_.find(group_id));
  }
  if (absl::Status s = CheckHasCommits(group_id); !s.ok()) return s;
  return store_.offsets().DeleteGroup(group_id);
}

absl::Status GroupCoordinator::CheckHasCommits(std::string_view group_id) const {
  absl::StatusOr<std::vector<storage::CommittedOffset>> commits =
      store_.offsets().FetchAll(group_id);
  if (!commits.ok()) return commits.status();
  if (commits->empty()) {
    return MakeError(ErrorCode::kGroupIdNotFound,
                     fmt::format("group '{}' has neither members nor committed offsets",
                                 group_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<absl::Status>> GroupCoordinator::DeleteOffsets(
    std::string_view group_id, std::span<const TopicPartition> partitions) {
  absl::MutexLock lock(&mu_);
  std::set<std::string> subscribed;
  Entry* entry = Find(group_id);
  if (entry != nullptr) {
    Settle(*entry, Now());
    absl::StatusOr<std::set<std::string>> topics = SubscribedTopics(*entry);
    if (!topics.ok()) return topics.status();
    subscribed = *std::move(topics);
  }
  if (entry == nullptr || (entry->group.members().empty() && entry->classic.empty())) {
    if (absl::Status s = CheckHasCommits(group_id); !s.ok()) return s;
  }
  std::vector<absl::Status> results;
  std::vector<TopicPartition> deleted;
  for (const TopicPartition& tp : partitions) {
    if (subscribed.contains(tp.topic)) {
      results.push_back(MakeError(
          ErrorCode::kGroupSubscribedToTopic,
          fmt::format("a live member of group '{}' subscribes to topic '{}'", group_id, tp.topic)));
      continue;
    }
    results.push_back(absl::OkStatus());
    deleted.push_back(tp);
  }
  if (absl::Status s = store_.offsets().Delete(group_id, deleted); !s.ok()) return s;
  return results;
}

absl::StatusOr<std::set<std::string>> GroupCoordinator::SubscribedTopics(const Entry& entry) {
  std::set<std::string> topics;
  for (const auto& [id, member] : entry.group.members()) {
    topics.insert(member.topics.begin(), member.topics.end());
  }
  const ClassicGroup& classic = entry.classic;
  if (classic.empty()) return topics;
  if (classic.protocol_type() != kConsumerProtocolType) {
    return MakeError(ErrorCode::kNonEmptyGroup,
                     fmt::format("group '{}' has live members of protocol type '{}', whose "
                                 "subscriptions are unknown: stop them first",
                                 classic.id(), classic.protocol_type()));
  }
  for (const ClassicMember* member : classic.MembersInJoinOrder()) {
    for (const ClassicProtocol& protocol : member->protocols) {
      if (classic.protocol_name() && protocol.name != *classic.protocol_name()) continue;
      absl::StatusOr<ConsumerSubscription> subscription =
          DecodeConsumerSubscription(protocol.metadata);
      if (subscription.ok()) {
        topics.insert(subscription->topics.begin(), subscription->topics.end());
      }
    }
  }
  return topics;
}

GroupView GroupCoordinator::ViewOf(const Entry& entry) {
  GroupView view;
  view.kind = entry.kind;
  view.state = entry.state();
  view.generation = entry.generation();
  view.rebalances = entry.rebalances;
  view.rebalance_time = entry.rebalance_time;
  view.last_rebalance = entry.last_rebalance;
  if (entry.kind == GroupKind::kBrook) {
    const Group& group = entry.group;
    view.group_id = group.id();
    view.assignor = group.assignor();
    for (const auto& [id, member] : group.members()) view.members.push_back(member);
    return view;
  }
  const ClassicGroup& group = entry.classic;
  view.group_id = group.id();
  view.assignor = group.protocol_name().value_or("");
  view.protocol_type = group.protocol_type();
  for (const ClassicMember* member : group.MembersInJoinOrder()) {
    const std::string* metadata =
        group.protocol_name() ? member->MetadataFor(*group.protocol_name()) : nullptr;
    view.classic_members.push_back({member->id, member->group_instance_id, member->client_id,
                                    member->client_host,
                                    metadata != nullptr ? *metadata : std::string(),
                                    member->assignment});
  }
  return view;
}

GroupCoordinator::Entry* GroupCoordinator::Find(std::string_view group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

absl::StatusOr<GroupCoordinator::Entry*> GroupCoordinator::EntryForJoin(
    const std::string& group_id, GroupKind kind, Clock::time_point now, bool* created) {
  if (shutting_down_) return ShuttingDown();
  auto [it, inserted] = groups_.try_emplace(group_id);
  if (inserted) {
    it->second = std::make_unique<Entry>(group_id, config_.group_initial_rebalance_delay);
  }
  *created = inserted;
  Entry& entry = *it->second;
  Settle(entry, now);
  if (kind == GroupKind::kBrook && !entry.classic.empty()) {
    return MakeError(ErrorCode::kInconsistentGroupProtocol,
                     fmt::format("group '{}' is a Kafka consumer group (protocol type '{}'): "
                                 "brook consumers cannot join it",
                                 group_id, entry.classic.protocol_type()));
  }
  if (kind == GroupKind::kKafkaClassic && !entry.group.members().empty()) {
    return MakeError(ErrorCode::kInconsistentGroupProtocol,
                     fmt::format("group '{}' is a brook consumer group (assignor '{}'): Kafka "
                                 "clients cannot join it",
                                 group_id, entry.group.assignor()));
  }
  return &entry;
}

void GroupCoordinator::Settle(Entry& entry, Clock::time_point now) {
  Group& group = entry.group;
  group.Expire(now);
  if (group.ReadyToComplete(now)) Complete(entry, now);
  for (auto it = entry.joins.begin(); it != entry.joins.end();) {
    if (group.has_member(it->first)) {
      ++it;
      continue;
    }
    it->second->Answer(UnknownMemberOf(group.id(), it->first), it->second);
    it = entry.joins.erase(it);
  }
  SettleClassic(entry, now);
  entry.TrackRebalance(now);
  if (entry.state() != entry.seen_state || entry.generation() != entry.seen_generation) {
    entry.seen_state = entry.state();
    entry.seen_generation = entry.generation();
    if (auto watches = watches_.find(group.id()); watches != watches_.end()) {
      for (auto& [id, wake] : watches->second) wake();
    }
  }
}

void GroupCoordinator::Complete(Entry& entry, Clock::time_point now) {
  RebalanceResult result = entry.group.CompleteRebalance(CountsOf(entry.group.SubscribedTopics()),
                                                         now);
  for (auto& [member_id, partitions] : result.assignment) {
    auto join = entry.joins.find(member_id);
    if (join == entry.joins.end()) continue;
    join->second->Answer(JoinResult{result.generation, member_id, result.leader_id,
                                    result.assignor, std::move(partitions)},
                         join->second);
    entry.joins.erase(join);
  }
}

PartitionCounts GroupCoordinator::CountsOf(const std::set<std::string>& topics) const {
  PartitionCounts counts;
  for (const std::string& topic : topics) {
    absl::StatusOr<storage::TopicInfo> info = store_.DescribeTopic(topic);
    if (info.ok()) counts[topic] = static_cast<int32_t>(info->partitions.size());
  }
  return counts;
}

std::string GroupCoordinator::NewMemberId(const Group& group, std::string_view client_id) {
  for (;;) {
    std::string id = fmt::format("{}-{:016x}", client_id.empty() ? "member" : client_id,
                                 random_());
    if (!group.has_member(id)) return id;
  }
}

void GroupCoordinator::WakeEveryWatch() {
  for (auto& [group, watches] : watches_) {
    for (auto& [id, wake] : watches) wake();
  }
}

void GroupCoordinator::SettleAll() {
  absl::MutexLock lock(&mu_);
  const auto now = Now();
  for (auto& [id, entry] : groups_) Settle(*entry, now);
}

}  // namespace brook::group
