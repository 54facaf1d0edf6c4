// broker/group/group_coordinator.h: the broker's consumer-group coordinator.
//
// Owns every group's state machine (group.h), the JoinGroup requests waiting for their
// rebalance to complete, and the member fetches to wake when a rebalance starts; it is the
// only place that decides who may commit offsets (docs/protocol.md 6.8).
//
// Operation: every call takes the coordinator's mutex, brings the named group up to date
// (sessions expired, a ready rebalance completed with the partition counts of the store's
// topics, waiting joins answered, watching fetches woken when the group's state or generation
// changed), applies the request, and brings the group up to date again. A sweep timer does the
// same for every group every 50 ms, so sessions expire, rebalance deadlines pass and initial
// delays end without a request.
//
// Concurrency: all methods are thread-safe. Join() suspends its coroutine until the rebalance
// completes; it is woken on its own executor. Commit() checks membership and writes to the
// OffsetStore under the mutex, so a member removed concurrently cannot slip a commit in.
//
// Lifecycle: construct, Start() on the broker's io_context, Shutdown() before connections
// drain (pending joins are answered BROKER_SHUTTING_DOWN, later ones refused), destroy after
// the io threads stopped. The store must outlive every call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/broker_config.h"
#include "broker/group/group.h"
#include "storage/log_store.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace brook::group {

struct JoinResult {
  Generation generation;
  std::string member_id;
  std::string leader_id;
  std::string assignor;
  std::vector<TopicPartition> assignment;  // Sorted.
};

// One group as DescribeGroups and ListGroups show it.
struct GroupView {
  std::string group_id;
  GroupState state = GroupState::kEmpty;
  std::string assignor;
  Generation generation = kNoGeneration;
  std::vector<Member> members;  // By member id.
};

class GroupCoordinator {
 public:
  // Unregisters its wake function when destroyed.
  class RebalanceWatch {
   public:
    RebalanceWatch(GroupCoordinator* owner, std::string group_id, uint64_t id)
        : owner_(owner), group_id_(std::move(group_id)), id_(id) {}
    ~RebalanceWatch();
    RebalanceWatch(const RebalanceWatch&) = delete;
    RebalanceWatch& operator=(const RebalanceWatch&) = delete;

   private:
    GroupCoordinator* owner_;
    std::string group_id_;
    uint64_t id_;
  };

  // Uses config's group_initial_rebalance_delay and group_{min,max}_session_timeout.
  GroupCoordinator(storage::LogStore& store, const BrokerConfig& config);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Starts the sweep timer on `io`. REQUIRES: called once, before io runs out of work.
  void Start(boost::asio::io_context& io);
  // Answers pending joins BROKER_SHUTTING_DOWN, refuses later joins, wakes watching fetches
  // and stops the sweep. Idempotent.
  void Shutdown();

  // Joins (or rejoins) `group_id` and waits until the rebalance completes; returns this
  // member's part of it. An empty join.member_id marks a new member: the coordinator sets
  // new_member and assigns an id `<client_id>-<random hex>`. Errors: INVALID_GROUP_ID; INVALID_SESSION_TIMEOUT; INVALID_REQUEST (no topics, unknown
  // assignor, negative rebalance timeout); INCONSISTENT_GROUP_PROTOCOL; UNKNOWN_MEMBER_ID (an
  // unknown non-empty member id, or the member left while waiting); REBALANCE_IN_PROGRESS (a
  // newer JoinGroup of the same member replaced this one); BROKER_SHUTTING_DOWN.
  boost::asio::awaitable<absl::StatusOr<JoinResult>> Join(std::string group_id, MemberJoin join);

  // Heartbeat and Fetch v1: OK when the member is in the Stable group at `generation`; renews
  // its session. Errors: UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION.
  absl::Status CheckActive(std::string_view group_id, std::string_view member_id,
                           Generation generation);
  // Calls `wake` (from any thread, with the mutex held: it must only post) whenever the
  // group's state or generation changes, until the watch is destroyed.
  std::unique_ptr<RebalanceWatch> WatchRebalance(std::string_view group_id,
                                                 std::function<void()> wake);
  // Errors: UNKNOWN_MEMBER_ID.
  absl::Status Leave(std::string_view group_id, std::string_view member_id);

  // Checks the committer (Group::CheckCommit) and stores `commits` in one write, atomically
  // with the check. Empty `commits` only checks. Errors: UNKNOWN_MEMBER_ID,
  // ILLEGAL_GENERATION, NON_EMPTY_GROUP, STORAGE_ERROR (nothing stored), INVALID_REQUEST.
  absl::Status Commit(std::string_view group_id, std::string_view member_id,
                      Generation generation, std::span<const storage::CommittedOffset> commits);
  // Checks the committer as Commit does and, atomically with the check (under the mutex),
  // runs `write`, which stores what the member commits by other means (a dead letter).
  // REQUIRES: `write` does not call the coordinator. Errors: the check's; `write`'s.
  absl::Status CommitWith(std::string_view group_id, std::string_view member_id,
                          Generation generation, absl::FunctionRef<absl::Status()> write);

  // A topic was created or deleted: Stable groups subscribed to it rebalance.
  void OnTopicChanged(std::string_view topic);

  // The group's membership, or nullopt when the broker has not seen it since it started.
  std::optional<GroupView> Describe(std::string_view group_id);
  // Every group with members, by id.
  std::vector<GroupView> ActiveGroups();
  // Deletes the group's committed offsets and forgets it. Errors: NON_EMPTY_GROUP,
  // GROUP_ID_NOT_FOUND (no commits), STORAGE_ERROR.
  absl::Status DeleteGroup(std::string_view group_id);

 private:
  struct JoinWait;
  struct Entry;
  class Sweeper;

  static GroupView ViewOf(const Group& group);
  Entry* Find(std::string_view group_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Expires sessions, completes a ready rebalance, answers joins, wakes watchers.
  void Settle(Entry& entry, Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Complete(Entry& entry, Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  PartitionCounts CountsOf(const std::set<std::string>& topics) const;
  std::string NewMemberId(const Group& group, std::string_view client_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ValidateJoin(std::string_view group_id, const MemberJoin& join) const;
  void SweepAll();
  void Unwatch(const std::string& group_id, uint64_t id);

  storage::LogStore& store_;
  const BrokerConfig& config_;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> groups_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::map<uint64_t, std::function<void()>>, std::less<>> watches_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_watch_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<Sweeper> sweeper_;
};

}  // namespace brook::group
