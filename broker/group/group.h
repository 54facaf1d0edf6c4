// broker/group/group.h: one consumer group's membership state machine (docs/protocol.md 6.8).
//
// A Group holds the members of one group, its state and its generation, and decides: who may
// join, heartbeat, fetch or commit; when a rebalance starts; when it completes and with which
// assignment. It knows no sockets, no Asio and no wire messages: callers pass plain structs
// and the current time, and read decisions back. brook's protocol drives it through
// GroupCoordinator. Kafka's classic protocol, where a client-side leader assigns, has its own
// machine (classic_group.h); a group is of one kind or the other.
//
// States:
//   Empty               no members (the group may still have committed offsets elsewhere)
//   PreparingRebalance  waiting for every member to (re)join; ends when all have joined (and,
//                       after the first join of an Empty group, the initial delay has passed)
//                       or at the rebalance deadline, when members that did not join are removed
//   Stable              every member has its assignment for generation()
//
// Time: every operation takes `now`; Expire(now) removes members whose session deadline passed
// (members waiting in a JoinGroup of the current rebalance do not expire) and, past the
// rebalance deadline, the members that did not join. A rebalance that is ReadyToComplete(now)
// is completed by CompleteRebalance(), given the partition counts of SubscribedTopics().
//
// Thread-safety: none; the owner serializes all calls (GroupCoordinator's mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/group/assignor.h"
#include "protocol/types.h"

namespace brook::group {

using Clock = std::chrono::steady_clock;
using Generation = StrongInt<struct GenerationTag, int32_t>;
inline constexpr Generation kNoGeneration{-1};

// brook's own groups use Empty, PreparingRebalance and Stable; Kafka classic groups
// (classic_group.h) also CompletingRebalance, between the join phase and the leader's SyncGroup.
enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable };
// "Empty", "PreparingRebalance", "CompletingRebalance", "Stable" (the names DescribeGroups and
// ListGroups use, Kafka's).
std::string_view StateName(GroupState state);

// Group ids are 1-255 bytes. Errors: INVALID_GROUP_ID.
absl::Status ValidateGroupId(std::string_view group_id);

// One JoinGroup, already validated for things that need no group state (session timeout
// range, known assignor, at least one topic).
struct MemberJoin {
  std::string member_id;    // REQUIRES: not empty; a fresh unique id when new_member.
  bool new_member = false;  // The request carried an empty member id.
  std::string client_id;
  std::string client_host;
  std::chrono::milliseconds session_timeout{0};
  std::chrono::milliseconds rebalance_timeout{0};
  std::vector<std::string> topics;
  std::string assignor;                // A name FindAssignor() knows.
  std::vector<TopicPartition> owned;   // Cooperative members: what they still own.
};

struct Member {
  std::string id;
  std::string client_id;
  std::string client_host;
  std::chrono::milliseconds session_timeout{0};
  std::chrono::milliseconds rebalance_timeout{0};
  std::vector<std::string> topics;
  std::string assignor;
  std::vector<TopicPartition> owned;       // As reported at its latest join.
  std::vector<TopicPartition> assignment;  // In `generation`; sorted.
  Generation generation = kNoGeneration;   // The last generation it was assigned in.
  Clock::time_point session_deadline;
  uint64_t join_order = 0;                 // Earlier joiners have smaller numbers.
};

// What completing a rebalance decided.
struct RebalanceResult {
  Generation generation;
  std::string leader_id;
  std::string assignor;
  Assignment assignment;                // Every member -> its partitions in `generation`.
  std::vector<TopicPartition> withheld; // Cooperative: owned by one member, due to another.
};

class Group {
 public:
  Group(std::string id, std::chrono::milliseconds initial_rebalance_delay);

  // Records a JoinGroup and renews the member's session. A new member, or a known member
  // joining a Stable group, starts a rebalance; the first join of an Empty group starts the
  // initial delay, and each further join restarts it (bounded by the rebalance deadline).
  // Errors: UNKNOWN_MEMBER_ID (not new and not a member), INCONSISTENT_GROUP_PROTOCOL (another
  // member names a different assignor).
  absl::Status Join(MemberJoin join, Clock::time_point now);

  // Heartbeat and Fetch v1: OK when `member_id` is a member of a Stable group at `generation`.
  // Renews the session of a known member whatever the outcome. Errors: UNKNOWN_MEMBER_ID,
  // REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION (in that order of precedence).
  absl::Status CheckActive(std::string_view member_id, Generation generation,
                           Clock::time_point now);
  // OffsetCommit: like CheckActive, but accepted while the group rebalances (a member of the
  // current generation commits before giving partitions up). A tool's commit (empty member id,
  // generation -1) is accepted only while the group has no members.
  // Errors: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, NON_EMPTY_GROUP.
  absl::Status CheckCommit(std::string_view member_id, Generation generation,
                           Clock::time_point now);

  // Removes the member at once; the others rebalance. Errors: UNKNOWN_MEMBER_ID.
  absl::Status Leave(std::string_view member_id, Clock::time_point now);

  // A topic was created or deleted: a Stable group with a member subscribed to it starts a
  // rebalance. Returns whether one started.
  bool OnTopicChanged(std::string_view topic, Clock::time_point now);

  // Removes members whose session expired and, past the rebalance deadline, the members that
  // have not joined it. Returns the removed member ids.
  std::vector<std::string> Expire(Clock::time_point now);

  // True when PreparingRebalance, every remaining member has joined, and the initial delay (if
  // any) has passed.
  bool ReadyToComplete(Clock::time_point now) const;
  // The topics the members subscribe to.
  std::set<std::string> SubscribedTopics() const;
  // Runs the assignor over the members (cooperative: each member's owned partitions are
  // trusted only where they were its assignment in the previous generation, and partitions
  // owned elsewhere are withheld), starts the next generation, goes Stable and renews every
  // session. `counts` holds the partition counts of the subscribed topics that exist.
  // REQUIRES: ReadyToComplete(now).
  RebalanceResult CompleteRebalance(const PartitionCounts& counts, Clock::time_point now);

  const std::string& id() const { return id_; }
  GroupState state() const { return state_; }
  // The last completed generation, or kNoGeneration.
  Generation generation() const { return generation_; }
  // The members' assignor; empty when the group is Empty.
  const std::string& assignor() const { return assignor_; }
  // The member that joined first, among the current members; empty when there are none.
  std::string leader_id() const;
  // Members by id.
  const std::map<std::string, Member, std::less<>>& members() const { return members_; }
  bool has_member(std::string_view member_id) const;

 private:
  // The member, its session renewed. Errors: UNKNOWN_MEMBER_ID.
  absl::StatusOr<Member*> Renew(std::string_view member_id, Clock::time_point now);
  // Errors: ILLEGAL_GENERATION unless the member was assigned in `generation`, the current one.
  absl::Status CheckGeneration(const Member& member, Generation generation) const;
  void StartRebalance(Clock::time_point now);
  void RemoveMember(std::string_view member_id, Clock::time_point now);
  Clock::time_point RebalanceDeadline() const;

  std::string id_;
  std::chrono::milliseconds initial_rebalance_delay_;
  GroupState state_ = GroupState::kEmpty;
  Generation generation_ = kNoGeneration;
  std::string assignor_;
  std::map<std::string, Member, std::less<>> members_;
  uint64_t next_join_order_ = 0;
  // PreparingRebalance only:
  std::set<std::string, std::less<>> joined_;
  Clock::time_point rebalance_start_;
  bool initial_rebalance_ = false;     // Started by the first join of an Empty group.
  Clock::time_point delay_until_;      // Initial rebalance: earliest completion.
};

}  // namespace brook::group
