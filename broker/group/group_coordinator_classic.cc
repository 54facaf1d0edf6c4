// GroupCoordinator's Kafka classic-protocol API: JoinGroup, SyncGroup, Heartbeat and
// LeaveGroup on ClassicGroup, with the parked requests they leave (group_coordinator.h).
#include <boost/asio/this_coro.hpp>

#include "broker/group/group_coordinator.h"
#include "broker/group/group_coordinator_internal.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook::group {
namespace asio = boost::asio;

asio::awaitable<absl::StatusOr<ClassicJoinResult>> GroupCoordinator::JoinClassic(
    std::string group_id, ClassicJoin join) {
  if (absl::Status s = ValidateJoinBasics(group_id, join.session_timeout, join.rebalance_timeout);
      !s.ok()) {
    co_return s;
  }
  co_return co_await JoinAndWait<ClassicJoinResult>(
      std::move(group_id), GroupKind::kKafkaClassic,
      [&](Entry& entry, Clock::time_point now, std::shared_ptr<Parked<ClassicJoinResult>> wait)
          -> std::optional<absl::StatusOr<ClassicJoinResult>> {
        mu_.AssertHeld();  // JoinAndWait runs this under mu_ (for clang's lock analysis).
        std::string fresh_id =
            join.member_id.empty() ? NewClassicMemberId(entry.classic, join) : std::string();
        ClassicJoinDecision decision =
            entry.classic.Join(std::move(join), std::move(fresh_id), now);
        if (!entry.classic.empty()) entry.kind = GroupKind::kKafkaClassic;
        if (!decision.answer) Park(entry.classic_joins, decision.member_id, std::move(wait));
        return std::move(decision.answer);
      });
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
  return OnKnownGroup(group_id, member_id, [&](Entry& entry, Clock::time_point now) {
    return entry.classic.Heartbeat(member_id, group_instance_id, generation, now);
  });
}

absl::StatusOr<std::vector<absl::Status>> GroupCoordinator::LeaveClassic(
    std::string_view group_id, std::span<const ClassicLeaver> leavers) {
  const std::string_view first =
      leavers.empty() ? std::string_view() : std::string_view(leavers.front().member_id);
  return OnKnownGroup(group_id, first, [&](Entry& entry, Clock::time_point now) {
    return absl::StatusOr<std::vector<absl::Status>>(entry.classic.Leave(leavers, now));
  });
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
