// broker/group/group_coordinator.h: the broker's consumer-group coordinator.
//
// Owns every group's state machine, the JoinGroup (and Kafka SyncGroup) requests waiting for
// their rebalance, and the member fetches to wake when a rebalance starts; it is the only place
// that decides who may commit offsets (docs/protocol.md 6.8, docs/consumer-groups.md).
//
// Two kinds of groups share the id space and the committed offsets:
//   brook groups (group.h)                   brook's protocol; the broker assigns partitions.
//   Kafka classic groups (classic_group.h)   Kafka's JoinGroup/SyncGroup; a client-side
//                                            leader assigns, the broker passes bytes along.
// A group with members is of one kind: a join of the other kind is refused with
// INCONSISTENT_GROUP_PROTOCOL naming the group's kind. A group without members takes the kind
// of its next member. The Kafka listener's handlers call the *Classic methods; every method
// answers plain structs (no wire messages).
//
// Operation: every call takes the coordinator's mutex, brings the named group up to date
// (sessions expired, a ready rebalance completed with the partition counts of the store's
// topics, waiting joins answered, watching fetches woken when the group's state or generation
// changed), applies the request, and brings the group up to date again. A sweep timer does the
// same for every group every 50 ms, so sessions expire, rebalance deadlines pass and initial
// delays end without a request.
//
// Concurrency: all methods are thread-safe. Join(), JoinClassic() and SyncClassic() suspend
// their coroutine until answered; each is woken on its own executor. Commit() checks
// membership and writes to the OffsetStore under the mutex, so a member removed concurrently
// cannot slip a commit in.
//
// Lifecycle: construct, Start() on the broker's io_context, Shutdown() before connections
// drain (pending joins and syncs are answered BROKER_SHUTTING_DOWN, later ones refused),
// destroy after the io threads stopped. The store must outlive every call.
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
#include "broker/group/classic_group.h"
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

enum class GroupKind {
  kBrook,         // brook's protocol: the broker assigns.
  kKafkaClassic,  // Kafka's classic protocol: a client-side leader assigns.
};
// "brook", "kafka".
std::string_view KindName(GroupKind kind);

// A Kafka group's member as DescribeGroups shows it.
struct ClassicMemberView {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  // For the group's protocol (empty when the group has none or the member does not support
  // it). Kafka's DescribeGroups sends it (and ProtocolData) only when the group is Stable.
  std::string metadata;
  std::string assignment;  // Opaque; for protocol type "consumer" a ConsumerAssignment.
};

// One group as DescribeGroups and ListGroups show it.
struct GroupView {
  std::string group_id;
  GroupKind kind = GroupKind::kBrook;
  GroupState state = GroupState::kEmpty;
  // brook groups: the members' assignor. Kafka groups: the selected protocol (the client-side
  // assignor, e.g. "range"); empty when the group is Empty.
  std::string assignor;
  std::string protocol_type;  // Kafka groups: e.g. "consumer" (kept when Empty); brook: empty.
  // brook groups: kNoGeneration until the first rebalance. Kafka groups: from 0.
  Generation generation = kNoGeneration;
  std::vector<Member> members;                     // brook groups, by member id.
  std::vector<ClassicMemberView> classic_members;  // Kafka groups, in join order.
  // Rebalances completed (ended Stable) since the coordinator first saw the group, their total
  // and the last one's duration, by the coordinator's clock: from the first time it saw the
  // group rebalancing (each operation and the 50 ms sweep look) to the first it saw it Stable.
  int64_t rebalances = 0;
  std::chrono::nanoseconds rebalance_time{0};
  std::chrono::nanoseconds last_rebalance{0};

  size_t member_count() const { return members.size() + classic_members.size(); }
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

  // Uses config's group_initial_rebalance_delay and group_{min,max}_session_timeout. `clock`
  // (default: Clock::now) is the time every decision uses: the broker passes its BrokerClock
  // (broker_clock.h), tests inject their own.
  GroupCoordinator(storage::LogStore& store, const BrokerConfig& config,
                   std::function<Clock::time_point()> clock = {});
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Starts the sweep timer on `io`. REQUIRES: called once, before io runs out of work.
  void Start(boost::asio::io_context& io);
  // Answers pending joins and syncs BROKER_SHUTTING_DOWN, refuses later ones, wakes watching
  // fetches and stops the sweep. Idempotent.
  void Shutdown();

  // Brings every group up to date now, as the 50 ms sweep does: after the clock jumped
  // forward (BrokerClock::Advance), sessions and deadlines that passed take effect at once.
  void SettleAll();
  // Resets the broker's groups and store in one step: under the coordinator's mutex (so no
  // commit or dead letter slips in between), calls store.Reset() (LogStore::Reset), then
  // forgets every group: parked joins and syncs are answered UNKNOWN_MEMBER_ID, watching
  // fetches are woken, and later requests of the old members get UNKNOWN_MEMBER_ID (they join
  // again). Returns the store's answer with `groups` also naming the groups that had members.
  // Errors: the store's STORAGE_ERROR (then nothing changed).
  absl::StatusOr<storage::StoreReset> Reset();

  // ---- brook's protocol -----------------------------------------------------------------

  // Joins (or rejoins) `group_id` and waits until the rebalance completes; returns this
  // member's part of it. An empty join.member_id marks a new member: the coordinator sets
  // new_member and assigns an id `<client_id>-<random hex>`. Errors: INVALID_GROUP_ID;
  // INVALID_SESSION_TIMEOUT; INVALID_REQUEST (no topics, unknown assignor, negative rebalance
  // timeout); INCONSISTENT_GROUP_PROTOCOL (another assignor, or a Kafka group with members);
  // UNKNOWN_MEMBER_ID (an unknown non-empty member id, or the member left while waiting);
  // REBALANCE_IN_PROGRESS (a newer JoinGroup of the same member replaced this one);
  // BROKER_SHUTTING_DOWN.
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

  // Checks the committer and stores `commits` in one write, atomically with the check. Empty
  // `commits` only checks. The rules are those of the group's kind: brook groups
  // (Group::CheckCommit), Kafka groups (ClassicGroup::CheckCommit: `group_instance_id` is
  // OffsetCommit v7's). A group the coordinator does not know follows brook's rules (a
  // committer with an instance id is unknown). Errors: UNKNOWN_MEMBER_ID,
  // FENCED_INSTANCE_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS (Kafka group completing a
  // rebalance), NON_EMPTY_GROUP (brook group), STORAGE_ERROR (nothing stored), INVALID_REQUEST.
  absl::Status Commit(std::string_view group_id, std::string_view member_id,
                      Generation generation, std::span<const storage::CommittedOffset> commits);
  absl::Status Commit(std::string_view group_id, std::string_view member_id,
                      std::optional<std::string_view> group_instance_id, Generation generation,
                      std::span<const storage::CommittedOffset> commits);
  // Checks the committer as Commit does and, atomically with the check (under the mutex),
  // runs `write`, which stores what the member commits by other means (a dead letter).
  // REQUIRES: `write` does not call the coordinator. Errors: the check's; `write`'s.
  absl::Status CommitWith(std::string_view group_id, std::string_view member_id,
                          Generation generation, absl::FunctionRef<absl::Status()> write);
  absl::Status CommitWith(std::string_view group_id, std::string_view member_id,
                          std::optional<std::string_view> group_instance_id,
                          Generation generation, absl::FunctionRef<absl::Status()> write);

  // ---- Kafka's classic protocol (classic_group.h has the rules in full) -----------------

  // JoinGroup: joins and waits until the join phase completes, or answers at once (see
  // ClassicGroup::Join). A new member's id is "<instance id or client id>-<uuid>". Errors:
  // INVALID_GROUP_ID; INVALID_SESSION_TIMEOUT; INVALID_REQUEST (negative rebalance timeout);
  // INCONSISTENT_GROUP_PROTOCOL (protocol type or protocols, or a brook group with members);
  // MEMBER_ID_REQUIRED (RequiredMemberId(status) is the id to join again with);
  // UNKNOWN_MEMBER_ID (unknown member or instance id; removed while waiting);
  // FENCED_INSTANCE_ID (the instance id belongs to another member id; replaced while
  // waiting); REBALANCE_IN_PROGRESS (a newer JoinGroup of the same member replaced this one);
  // BROKER_SHUTTING_DOWN.
  boost::asio::awaitable<absl::StatusOr<ClassicJoinResult>> JoinClassic(std::string group_id,
                                                                       ClassicJoin join);
  // SyncGroup: the leader's hands in the assignment; followers' wait for it (CompletingRebalance)
  // or are answered at once (Stable). Errors: INVALID_GROUP_ID; UNKNOWN_MEMBER_ID (unknown
  // group, member or instance id; removed while waiting); FENCED_INSTANCE_ID;
  // ILLEGAL_GENERATION; INCONSISTENT_GROUP_PROTOCOL (v5 type or name differs);
  // REBALANCE_IN_PROGRESS (rebalancing, or a rebalance started while waiting, or a newer
  // SyncGroup of the same member replaced this one); BROKER_SHUTTING_DOWN.
  boost::asio::awaitable<absl::StatusOr<ClassicSyncResult>> SyncClassic(std::string group_id,
                                                                       ClassicSync sync);
  // Heartbeat: OK while CompletingRebalance or Stable for the current generation. Errors:
  // UNKNOWN_MEMBER_ID (also unknown group), FENCED_INSTANCE_ID, ILLEGAL_GENERATION,
  // REBALANCE_IN_PROGRESS.
  absl::Status HeartbeatClassic(std::string_view group_id, std::string_view member_id,
                                std::optional<std::string_view> group_instance_id,
                                Generation generation);
  // LeaveGroup: one status per leaver (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID). Errors (the
  // whole request): UNKNOWN_MEMBER_ID when the group is unknown.
  absl::StatusOr<std::vector<absl::Status>> LeaveClassic(std::string_view group_id,
                                                         std::span<const ClassicLeaver> leavers);

  // ---- Both kinds -----------------------------------------------------------------------

  // A topic was created or deleted: Stable brook groups subscribed to it rebalance (Kafka
  // groups' leaders watch metadata and rejoin themselves).
  void OnTopicChanged(std::string_view topic);

  // The group's membership, or nullopt when the broker has not seen it since it started (it
  // may still have committed offsets: the OffsetStore knows).
  std::optional<GroupView> Describe(std::string_view group_id);
  // Every group with members, by id.
  std::vector<GroupView> ActiveGroups();
  // Every group the coordinator knows (with members or not), by id.
  std::vector<GroupView> AllGroups();
  // Deletes the group's committed offsets and forgets it. Errors: NON_EMPTY_GROUP (members of
  // either kind), GROUP_ID_NOT_FOUND (no commits), STORAGE_ERROR.
  absl::Status DeleteGroup(std::string_view group_id);
  // Kafka's OffsetDelete: deletes the group's commits of `partitions` in one write, atomically
  // with the check of its members, except those of topics a live member subscribes to (brook
  // groups: the members' topics; Kafka groups of protocol type "consumer": the subscriptions
  // in their metadata, for the selected protocol or, before one is, for any). Returns one
  // status per partition: OK (also when there was no commit) or GROUP_SUBSCRIBED_TO_TOPIC.
  // Errors: GROUP_ID_NOT_FOUND (neither members nor commits), NON_EMPTY_GROUP (a Kafka group
  // with members of another protocol type: their subscriptions are unknown), STORAGE_ERROR
  // (nothing deleted).
  absl::StatusOr<std::vector<absl::Status>> DeleteOffsets(
      std::string_view group_id, std::span<const TopicPartition> partitions);

 private:
  template <class T>
  struct Parked;
  template <class T>
  using ParkedBy = std::map<std::string, std::shared_ptr<Parked<T>>, std::less<>>;
  struct Entry;
  class Sweeper;

  static GroupView ViewOf(const Entry& entry);
  Clock::time_point Now() const { return clock_(); }
  Entry* Find(std::string_view group_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The entry a join of `kind` goes to: created if new (*created set), brought up to date.
  // Errors: BROKER_SHUTTING_DOWN; INCONSISTENT_GROUP_PROTOCOL when the group has members of
  // the other kind.
  absl::StatusOr<Entry*> EntryForJoin(const std::string& group_id, GroupKind kind,
                                      Clock::time_point now, bool* created)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Expires sessions, completes a ready rebalance, answers parked requests, wakes watchers.
  void Settle(Entry& entry, Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Complete(Entry& entry, Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SettleClassic(Entry& entry, Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckCommit(std::string_view group_id, std::string_view member_id,
                           std::optional<std::string_view> group_instance_id,
                           Generation generation) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  PartitionCounts CountsOf(const std::set<std::string>& topics) const;
  // The topics the entry's live members subscribe to (see DeleteOffsets). Errors:
  // NON_EMPTY_GROUP.
  static absl::StatusOr<std::set<std::string>> SubscribedTopics(const Entry& entry);
  // Errors: GROUP_ID_NOT_FOUND when the group has no committed offsets; STORAGE_ERROR.
  absl::Status CheckHasCommits(std::string_view group_id) const;
  std::string NewMemberId(const Group& group, std::string_view client_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NewClassicMemberId(const ClassicGroup& group, const ClassicJoin& join)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ValidateJoin(std::string_view group_id, const MemberJoin& join) const;
  // Errors: INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, INVALID_REQUEST (negative rebalance
  // timeout).
  absl::Status ValidateJoinBasics(std::string_view group_id,
                                  std::chrono::milliseconds session_timeout,
                                  std::chrono::milliseconds rebalance_timeout) const;
  // Parks `wait` under `member_id`, answering the request it replaces REBALANCE_IN_PROGRESS.
  template <class T>
  static void Park(ParkedBy<T>& parked, const std::string& member_id,
                   std::shared_ptr<Parked<T>> wait);
  // Answers and forgets the request parked under `member_id`, if any.
  template <class T>
  static void Deliver(ParkedBy<T>& parked, const std::string& member_id,
                      absl::StatusOr<T> answer);
  // Runs op(entry, now) under the mutex on the group, brought up to date before and after.
  // Errors: UNKNOWN_MEMBER_ID (naming `member_id`) when the coordinator does not know the group.
  template <class Op>
  auto OnKnownGroup(std::string_view group_id, std::string_view member_id, Op op)
      -> decltype(op(std::declval<Entry&>(), Clock::time_point()));
  // A join of `kind` to `group_id`: under the mutex, on the group's entry (EntryForJoin's
  // errors), runs join(entry, now, wait), which answers at once or parks `wait` and returns
  // nullopt; then waits for the answer. A group created for a join that left nothing in it
  // is forgotten again.
  template <class T, class JoinFn>
  boost::asio::awaitable<absl::StatusOr<T>> JoinAndWait(std::string group_id, GroupKind kind,
                                                        JoinFn join);
  // Suspends until `wait` is answered.
  template <class T>
  boost::asio::awaitable<absl::StatusOr<T>> AwaitAnswer(std::shared_ptr<Parked<T>> wait);
  // Calls every watch's wake function.
  void WakeEveryWatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Unwatch(const std::string& group_id, uint64_t id);

  storage::LogStore& store_;
  const BrokerConfig& config_;
  const std::function<Clock::time_point()> clock_;
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
