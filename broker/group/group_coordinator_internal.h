// broker/group/group_coordinator_internal.h: internal to group_coordinator*.cc (not for other
// modules): a parked request, a group's entry, and the helpers both files use.
//
// Every field of an Entry, and the `result` of a Parked request, are guarded by the
// coordinator's mutex; `woken` belongs to the parked coroutine's executor.
#pragma once

#include <memory>
#include <utility>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/group/group_coordinator.h"
#include "protocol/error_codes.h"

namespace brook::group {

absl::Status ShuttingDown();
absl::Status UnknownMemberOf(std::string_view group_id, std::string_view member_id);

// A request waiting for its answer: `result` is set under the coordinator's mutex, then a post
// to the waiter's executor sets `woken` and cancels the timer.
template <class T>
struct GroupCoordinator::Parked {
  explicit Parked(boost::asio::any_io_executor executor) : timer(std::move(executor)) {}
  boost::asio::steady_timer timer;
  std::optional<absl::StatusOr<T>> result;  // Guarded by the coordinator's mutex.
  bool woken = false;                       // Only on the timer's executor.

  void Answer(absl::StatusOr<T> answer, const std::shared_ptr<Parked>& self) {
    result = std::move(answer);
    boost::asio::post(timer.get_executor(), [self] {
      self->woken = true;
      self->timer.cancel();
    });
  }
};

struct GroupCoordinator::Entry {
  Entry(std::string id, std::chrono::milliseconds delay)
      : group(id, delay), classic(std::move(id), delay) {}
  GroupKind kind = GroupKind::kBrook;  // Of the latest member that joined.
  Group group;                         // brook's members; empty when a Kafka group.
  ClassicGroup classic;                // Kafka's members; empty when a brook group.
  ParkedBy<JoinResult> joins;          // By member id.
  ParkedBy<ClassicJoinResult> classic_joins;
  ParkedBy<ClassicSyncResult> classic_syncs;
  // What watchers were last woken for.
  GroupState seen_state = GroupState::kEmpty;
  Generation seen_generation = kNoGeneration;

  GroupState state() const {
    return kind == GroupKind::kKafkaClassic ? classic.state() : group.state();
  }
  Generation generation() const {
    return kind == GroupKind::kKafkaClassic ? classic.generation() : group.generation();
  }

  // Rebalance bookkeeping (GroupView::rebalances): called by Settle with the state it sees.
  void TrackRebalance(Clock::time_point now) {
    const GroupState current = state();
    if (current == GroupState::kPreparingRebalance ||
        current == GroupState::kCompletingRebalance) {
      if (!rebalance_started) rebalance_started = now;
      return;
    }
    if (!rebalance_started) return;
    if (current == GroupState::kStable) {
      ++rebalances;
      last_rebalance = now - *rebalance_started;
      rebalance_time += last_rebalance;
    }
    rebalance_started.reset();  // Stable, or Empty: every member left.
  }
  std::optional<Clock::time_point> rebalance_started;  // The rebalance in progress, if any.
  int64_t rebalances = 0;
  std::chrono::nanoseconds rebalance_time{0};
  std::chrono::nanoseconds last_rebalance{0};
};

template <class T>
void GroupCoordinator::Park(ParkedBy<T>& parked, const std::string& member_id,
                            std::shared_ptr<Parked<T>> wait) {
  std::shared_ptr<Parked<T>>& slot = parked[member_id];
  if (slot) {
    slot->Answer(MakeError(ErrorCode::kRebalanceInProgress,
                           "a newer request of this member replaced this one"),
                 slot);
  }
  slot = std::move(wait);
}

template <class T>
boost::asio::awaitable<absl::StatusOr<T>> GroupCoordinator::AwaitAnswer(
    std::shared_ptr<Parked<T>> wait) {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (wait->result) co_return std::move(*wait->result);
    }
    if (!wait->woken) {
      wait->timer.expires_at(boost::asio::steady_timer::time_point::max());
      co_await wait->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    wait->woken = false;
  }
}

template <class T>
void GroupCoordinator::Deliver(ParkedBy<T>& parked, const std::string& member_id,
                               absl::StatusOr<T> answer) {
  auto it = parked.find(member_id);
  if (it == parked.end()) return;
  it->second->Answer(std::move(answer), it->second);
  parked.erase(it);
}

template <class Op>
auto GroupCoordinator::OnKnownGroup(std::string_view group_id, std::string_view member_id, Op op)
    -> decltype(op(std::declval<Entry&>(), Clock::time_point())) {
  absl::MutexLock lock(&mu_);
  Entry* entry = Find(group_id);
  if (entry == nullptr) return UnknownMemberOf(group_id, member_id);
  const auto now = Now();
  Settle(*entry, now);
  auto result = op(*entry, now);
  Settle(*entry, now);
  return result;
}

template <class T, class JoinFn>
boost::asio::awaitable<absl::StatusOr<T>> GroupCoordinator::JoinAndWait(std::string group_id,
                                                                        GroupKind kind,
                                                                        JoinFn join) {
  auto wait = std::make_shared<Parked<T>>(co_await boost::asio::this_coro::executor);
  {
    absl::MutexLock lock(&mu_);
    const auto now = Now();
    bool created = false;
    absl::StatusOr<Entry*> found = EntryForJoin(group_id, kind, now, &created);
    if (!found.ok()) co_return found.status();
    Entry& entry = **found;
    std::optional<absl::StatusOr<T>> answer = join(entry, now, wait);
    Settle(entry, now);
    if (created && entry.group.members().empty() && entry.classic.empty() &&
        !entry.classic.has_pending_members()) {
      groups_.erase(groups_.find(group_id));
    }
    if (answer) co_return std::move(*answer);
  }
  co_return co_await AwaitAnswer(std::move(wait));
}

// Answers every parked request `shutting_down`.
template <class T>
void AnswerAll(std::map<std::string, std::shared_ptr<T>, std::less<>>& parked,
               const absl::Status& status) {
  for (auto& [member, wait] : parked) wait->Answer(status, wait);
  parked.clear();
}

}  // namespace brook::group
