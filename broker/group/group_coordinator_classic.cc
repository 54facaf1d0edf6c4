// GroupCoordinator's Kafka classic-protocol API: JoinGroup, SyncGroup, Heartbeat and
// LeaveGroup on ClassicGroup, with the parked requests they leave (group_coordinator.h).
#include <boost/asio/this_coro.hpp>

#include "broker/group/group_coordinator.h"
#include "broker/group/group_coordinator_internal.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook::group {
namespace asio = boost::asio;

absl::Status GroupCoordinator::ValidateClassicJoin(std::string_view group_id,
                                                   const ClassicJoin& join) const {
  if (absl::Status s = ValidateGroupId(group_id); !s.ok()) return s;
  if (absl::Status s = ValidateSessionTimeout(join.session_timeout); !s.ok()) return s;
  if (join.rebalance_timeout.count() < 0) {
    return MakeError(ErrorCode::kInvalidRequest, "rebalance timeout must be >= 0");
  }
  return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<ClassicJoinResult>> GroupCoordinator::JoinClassic(
    std::string group_id, ClassicJoin join) {
  if (absl::Status s = ValidateClassicJoin(group_id, join); !s.ok()) co_return s;
  auto wait = std::make_shared<Parked<ClassicJoinResult>>(co_await asio::this_coro::executor);
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) co_return ShuttingDown();
    bool created = false;
    Entry& entry = FindOrCreate(group_id, &created);
    const auto now = Now();
    Settle(entry, now);
    if (!entry.group.members().empty()) {
      co_return MakeError(ErrorCode::kInconsistentGroupProtocol,
                          fmt::format("group '{}' is a brook consumer group (assignor '{}'): "
                                      "Kafka clients cannot join it",
                                      group_id, entry.group.assignor()));
    }
    std::string fresh_id = join.member_id.empty() ? NewClassicMemberId(entry.classic, join) : "";
    ClassicJoinDecision decision = entry.classic.Join(std::move(join), std::move(fresh_id), now);
    if (!entry.classic.empty()) entry.kind = GroupKind::kKafkaClassic;
    if (!decision.answer) Park(entry.classic_joins, decision.member_id, wait);
    Settle(entry, now);
    if (created && entry.classic.empty() && !entry.classic.has_pending_members()) {
      groups_.erase(groups_.find(group_id));
    }
    if (decision.answer) co_return std::move(*decision.answer);
  }
  co_return co_await AwaitAnswer(std::move(wait));
}

asio::awaitable<absl::StatusOr<ClassicSyncResult>> GroupCoordinator::SyncClassic(
    std::string group_id, ClassicSync sync) {
  if (absl::Status s = ValidateGroupId(group_id); !s.ok()) co_return s;
  auto wait = std::make_shared<Parked<ClassicSyncResult>>(co_await asio::this_coro::executor);
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) co_return ShuttingDown();
    Entry* entry = Find(group_id);
    if (entry == nullptr) co_return UnknownMemberOf(group_id, sync.member_id);
    const auto now = Now();
    Settle(*entry, now);
    const std::string member_id = sync.member_id;
    ClassicSyncDecision decision = entry->classic.Sync(std::move(sync), now);
    if (decision.answer) {
      Settle(*entry, now);
      co_return std::move(*decision.answer);
    }
    Park(entry->classic_syncs, member_id, wait);
    Settle(*entry, now);
  }
  co_return co_await AwaitAnswer(std::move(wait));
}

absl::Status GroupCoordinator::HeartbeatClassic(std::string_view group_id,
                                                std::string_view member_id,
                                                std::optional<std::string_view> group_instance_id,
                                                Generation generation) {
  absl::MutexLock lock(&mu_);
  Entry* entry = Find(group_id);
  if (entry == nullptr) return UnknownMemberOf(group_id, member_id);
  const auto now = Now();
  Settle(*entry, now);
  absl::Status status = entry->classic.Heartbeat(member_id, group_instance_id, generation, now);
  Settle(*entry, now);
  return status;
}

absl::StatusOr<std::vector<absl::Status>> GroupCoordinator::LeaveClassic(
    std::string_view group_id, std::span<const ClassicLeaver> leavers) {
  absl::MutexLock lock(&mu_);
  Entry* entry = Find(group_id);
  if (entry == nullptr) {
    return MakeError(ErrorCode::kUnknownMemberId,
                     fmt::format("group '{}' has no members", group_id));
  }
  const auto now = Now();
  Settle(*entry, now);
  std::vector<absl::Status> results = entry->classic.Leave(leavers, now);
  Settle(*entry, now);
  return results;
}

void GroupCoordinator::SettleClassic(Entry& entry, Clock::time_point now) {
  ClassicGroup& group = entry.classic;
  group.Advance(now);
  ClassicAnswers answers = group.TakeAnswers();
  for (auto& [member_id, answer] : answers.joins) {
    Deliver(entry.classic_joins, member_id, std::move(answer));
  }
  for (auto& [member_id, answer] : answers.syncs) {
    Deliver(entry.classic_syncs, member_id, std::move(answer));
  }
  // Every parked request has its member waiting in the machine; answer any that does not.
  std::erase_if(entry.classic_joins, [&](auto& parked) {
    const ClassicMember* member = group.member(parked.first);
    if (member != nullptr && member->awaiting_join) return false;
    parked.second->Answer(UnknownMemberOf(group.id(), parked.first), parked.second);
    return true;
  });
  std::erase_if(entry.classic_syncs, [&](auto& parked) {
    const ClassicMember* member = group.member(parked.first);
    if (member != nullptr && member->awaiting_sync) return false;
    parked.second->Answer(UnknownMemberOf(group.id(), parked.first), parked.second);
    return true;
  });
}

std::string GroupCoordinator::NewClassicMemberId(const ClassicGroup& group,
                                                 const ClassicJoin& join) {
  const std::string& prefix = join.group_instance_id ? *join.group_instance_id : join.client_id;
  for (;;) {
    // A version 4 UUID, as Kafka's UUID.randomUUID().
    const uint64_t high = (random_() & ~0xF000ull) | 0x4000ull;
    const uint64_t low = (random_() & ~(3ull << 62)) | (2ull << 62);
    std::string id = fmt::format("{}-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", prefix, high >> 32,
                                 (high >> 16) & 0xFFFF, high & 0xFFFF, low >> 48,
                                 low & 0xFFFFFFFFFFFFull);
    if (group.member(id) == nullptr) return id;
  }
}

}  // namespace brook::group
