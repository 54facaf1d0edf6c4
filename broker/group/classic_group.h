// broker/group/classic_group.h: one Kafka classic-protocol consumer group's state machine
// (JoinGroup / SyncGroup / Heartbeat / LeaveGroup), faithful to Kafka's coordinator
// (ClassicGroup and GroupMetadataManager in apache/kafka).
//
// Unlike brook's own groups (group.h), the broker does not assign partitions: members send a
// protocol type ("consumer") and, per protocol they support (a client-side assignor such as
// "range"), opaque metadata; the group picks one protocol by vote (protocol_vote.h); the leader
// receives every member's metadata in its JoinGroup answer, computes the assignment and hands
// it in with its SyncGroup; every member's SyncGroup answer is its opaque share of it. The
// machine knows no sockets, no Asio and no wire messages: callers pass plain structs and the
// current time, and read decisions back.
//
// States (GroupState):
//   Empty                no members (committed offsets may exist elsewhere)
//   PreparingRebalance   waiting for every member to (re)join. Ends when all members have
//                        joined and no member id handed out by MEMBER_ID_REQUIRED is pending,
//                        or at the rebalance deadline (the largest rebalance timeout, from the
//                        start), when dynamic members that did not rejoin are removed (static
//                        ones stay). The first rebalance of an Empty group waits for the
//                        initial delay after each new member, bounded by the rebalance
//                        timeout, and ends only then.
//   CompletingRebalance  a new generation is chosen and the JoinGroups answered; waiting for
//                        the leader's SyncGroup. Followers' SyncGroups wait for it.
//   Stable               the leader's assignment is in; SyncGroups are answered at once.
// After the join phase every member must send SyncGroup within the rebalance timeout; those
// that do not (the leader included) are removed and the group rebalances again.
//
// Parked requests: Join() and Sync() either answer at once or park the request under the
// member's id; parked requests are answered later, by any call, through TakeAnswers(), which
// the owner drains after every call. Every parked request is answered exactly once (the
// member's removal answers it UNKNOWN_MEMBER_ID, its replacement by a static member with the
// same instance id FENCED_INSTANCE_ID, a new rebalance answers parked SyncGroups
// REBALANCE_IN_PROGRESS).
//
// Example (what GroupCoordinator does, under its mutex):
//   ClassicJoinDecision d = group.Join(std::move(join), NewMemberId(), now);
//   if (d.answer) reply(*d.answer); else park the request under d.member_id;
//   ...
//   group.Advance(now);  // On every request and on a timer.
//   for (auto& [member_id, answer] : group.TakeAnswers().joins) answer what is parked there;
//
// Sessions: a member expires when its session deadline passes, except while its JoinGroup or
// SyncGroup is parked (then the rebalance and sync deadlines bound it). A new member whose
// first JoinGroup is parked expires after kNewMemberJoinTimeout (Kafka's 5 minutes): it cannot
// heartbeat. A member id handed out with MEMBER_ID_REQUIRED expires after the session timeout
// of the join that asked for it if no join with it arrives.
//
// Thread-safety: none; the owner serializes all calls (GroupCoordinator's mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/group/group.h"

namespace brook::group {

// How long a new member's first JoinGroup may stay parked (Kafka's
// group.classic.new.member.join.timeout.ms default).
inline constexpr std::chrono::milliseconds kNewMemberJoinTimeout{5 * 60 * 1000};

struct ClassicProtocol {
  std::string name;      // The client-side assignor, e.g. "range", "cooperative-sticky".
  std::string metadata;  // Opaque; for protocol type "consumer" a ConsumerSubscription.
  friend bool operator==(const ClassicProtocol&, const ClassicProtocol&) = default;
};

// One JoinGroup, already validated for what needs no group state (group id, session timeout
// range, rebalance timeout >= 0).
struct ClassicJoin {
  std::string member_id;                         // Empty: a new member.
  std::optional<std::string> group_instance_id;  // Static membership (KIP-345).
  std::string client_id;
  std::string client_host;
  std::chrono::milliseconds session_timeout{0};
  std::chrono::milliseconds rebalance_timeout{0};  // JoinGroup v0: pass the session timeout.
  std::string protocol_type;                     // E.g. "consumer".
  std::vector<ClassicProtocol> protocols;        // In the member's order of preference.
  // JoinGroup v4+ (KIP-394): a new dynamic member gets MEMBER_ID_REQUIRED and an id to join
  // again with. Older versions are admitted at once.
  bool require_known_member_id = true;
  // JoinGroup v9+: a static leader replaced without a rebalance is told to skip assigning.
  bool supports_skip_assignment = false;
};

// A member as the leader's JoinGroup answer lists it.
struct ClassicMemberMetadata {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string metadata;  // For the group's protocol.
};

struct ClassicJoinResult {
  Generation generation;
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader_id;
  std::string member_id;
  bool skip_assignment = false;
  // The leader's answer lists every member (in join order); followers' is empty.
  std::vector<ClassicMemberMetadata> members;
};

struct ClassicSync {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  Generation generation = kNoGeneration;
  std::optional<std::string> protocol_type;  // SyncGroup v5+; checked when given.
  std::optional<std::string> protocol_name;  // SyncGroup v5+; checked when given.
  // The leader's: member id -> its assignment. Members it leaves out get empty bytes, ids
  // that are not members are ignored. Followers' lists are ignored.
  std::vector<std::pair<std::string, std::string>> assignments;
};

struct ClassicSyncResult {
  std::string protocol_type;
  std::optional<std::string> protocol_name;
  std::string assignment;  // Opaque; empty when the leader gave this member nothing.
};

// One member of a LeaveGroup (v3+ lists several; v0-2 one, by member id).
struct ClassicLeaver {
  std::string member_id;                         // May be empty when the instance id is given.
  std::optional<std::string> group_instance_id;
};

// Join(): answered now, or parked under `member_id` (answer later from TakeAnswers()).
struct ClassicJoinDecision {
  std::string member_id;  // The joining member's id (a fresh one for a new member).
  std::optional<absl::StatusOr<ClassicJoinResult>> answer;  // Empty: parked.
};
// Sync(): answered now, or parked under the member's id.
struct ClassicSyncDecision {
  std::optional<absl::StatusOr<ClassicSyncResult>> answer;  // Empty: parked.
};

// Answers to parked requests, by member id, in the order they were decided.
struct ClassicAnswers {
  std::vector<std::pair<std::string, absl::StatusOr<ClassicJoinResult>>> joins;
  std::vector<std::pair<std::string, absl::StatusOr<ClassicSyncResult>>> syncs;
};

struct ClassicMember {
  std::string id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::chrono::milliseconds session_timeout{0};
  std::chrono::milliseconds rebalance_timeout{0};
  std::vector<ClassicProtocol> protocols;  // In its order of preference.
  std::string assignment;                  // Its share of the latest leader's SyncGroup.
  Clock::time_point session_deadline;
  uint64_t join_order = 0;                 // Earlier joiners have smaller numbers.
  bool is_new = true;                      // Has not been through a completed join phase.
  bool awaiting_join = false;              // Its JoinGroup is parked.
  bool awaiting_sync = false;              // Its SyncGroup is parked.

  // Its metadata for protocol `name`, or nullptr when it does not support it.
  const std::string* MetadataFor(std::string_view name) const;
};

// MEMBER_ID_REQUIRED carries the id the member must join again with: it is set on the status
// (a payload) and read back with RequiredMemberId.
absl::Status MemberIdRequired(std::string_view group_id, std::string_view member_id);
// The member id of a MEMBER_ID_REQUIRED status; nullopt for any other status.
std::optional<std::string> RequiredMemberId(const absl::Status& status);

class ClassicGroup {
 public:
  ClassicGroup(std::string id, std::chrono::milliseconds initial_rebalance_delay);

  // A JoinGroup. `fresh_member_id` is the id a new member gets (unused otherwise): the owner
  // makes it unique, as "<instance id or client id>-<uuid>".
  //   new dynamic member, require_known_member_id: MEMBER_ID_REQUIRED (id in the status), the
  //     id pending; the group does not change.
  //   new member otherwise, or a pending id (without instance id): added, parked; a
  //     rebalance starts (Stable, CompletingRebalance, Empty) or goes on.
  //   new static member whose instance id is known: replaces the old member id (its parked
  //     requests answered FENCED_INSTANCE_ID, later ones refused so). Stable and the selected
  //     protocol unchanged: answered at once with the current generation and no rebalance
  //     (leader id: the old member's when it led, unless supports_skip_assignment, then the
  //     leader gets the member list and skip_assignment); otherwise parked and rebalancing.
  //   known member: PreparingRebalance: parked. CompletingRebalance: same protocols as
  //     before: answered at once (the leader with the member list), else parked and
  //     rebalancing. Stable: the leader, or changed protocols: parked and rebalancing; a
  //     follower with the same protocols: answered at once (no member list).
  // Errors (answered at once): INCONSISTENT_GROUP_PROTOCOL (empty protocol type or list for an
  // Empty group; otherwise another protocol type, or no protocol every member supports),
  // UNKNOWN_MEMBER_ID (unknown id or instance id), FENCED_INSTANCE_ID (the instance id belongs
  // to another member id), MEMBER_ID_REQUIRED.
  ClassicJoinDecision Join(ClassicJoin join, std::string fresh_member_id, Clock::time_point now);

  // A SyncGroup. CompletingRebalance: parked; the leader's completes the generation (every
  // parked SyncGroup answered with its assignment, Stable). Stable: answered at once with the
  // member's assignment. Errors: UNKNOWN_MEMBER_ID (no members, unknown member or instance
  // id), FENCED_INSTANCE_ID, ILLEGAL_GENERATION (not the current generation),
  // INCONSISTENT_GROUP_PROTOCOL (a given protocol type or name differs from the group's),
  // REBALANCE_IN_PROGRESS (PreparingRebalance), in that order.
  ClassicSyncDecision Sync(ClassicSync sync, Clock::time_point now);

  // A Heartbeat: OK (session renewed) for a member of the current generation while
  // CompletingRebalance or Stable. Errors: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
  // ILLEGAL_GENERATION, then REBALANCE_IN_PROGRESS (PreparingRebalance; session renewed).
  absl::Status Heartbeat(std::string_view member_id,
                         std::optional<std::string_view> group_instance_id,
                         Generation generation, Clock::time_point now);

  // A LeaveGroup: one status per leaver, in order. A leaver with an empty member id is found
  // by its instance id; a pending member id is forgotten. Removed members' parked JoinGroups
  // are answered UNKNOWN_MEMBER_ID; if any member left the others rebalance. Errors per
  // leaver: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID.
  std::vector<absl::Status> Leave(std::span<const ClassicLeaver> leavers, Clock::time_point now);

  // OffsetCommit (Kafka's ClassicGroup.validateOffsetCommit): a negative generation commits to
  // an Empty group; so does an empty member id without instance id ("simple" commit).
  // Otherwise the member must be known at the current generation, and the group not in
  // CompletingRebalance (members of the current generation commit while PreparingRebalance).
  // Errors: UNKNOWN_MEMBER_ID (unknown member or instance id; a simple commit to a group with
  // members), FENCED_INSTANCE_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS.
  absl::Status CheckCommit(std::string_view member_id,
                           std::optional<std::string_view> group_instance_id,
                           Generation generation) const;

  // Applies the passage of time: expired pending ids and sessions, the sync deadline, the
  // rebalance deadline and initial delay. Join, Sync, Heartbeat and Leave do this first (and
  // Join, Sync and Leave again after); CheckCommit, being const, expects it done.
  void Advance(Clock::time_point now);
  // The answers decided since the last call.
  ClassicAnswers TakeAnswers();

  const std::string& id() const { return id_; }
  GroupState state() const { return state_; }
  // 0 before the first join phase completes; +1 at every completed join phase (also one that
  // leaves the group Empty).
  Generation generation() const { return generation_; }
  // The protocol type of the members, kept when the group empties; empty before any member.
  const std::string& protocol_type() const { return protocol_type_; }
  // The protocol chosen for the current generation; nullopt when Empty.
  const std::optional<std::string>& protocol_name() const { return protocol_name_; }
  // The leader (kept across rebalances while it stays); empty when there are no members.
  const std::string& leader_id() const { return leader_id_; }
  // Members in join order.
  std::vector<const ClassicMember*> MembersInJoinOrder() const;
  const ClassicMember* member(std::string_view member_id) const;
  bool empty() const { return members_.empty(); }
  bool has_pending_members() const { return !pending_members_.empty(); }

 private:
  // Errors: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID (Kafka's validateMember).
  absl::Status ValidateMember(std::string_view member_id,
                              std::optional<std::string_view> group_instance_id) const;
  bool SupportsProtocols(std::string_view type,
                         const std::vector<ClassicProtocol>& protocols) const;
  ClassicJoinDecision JoinNew(ClassicJoin join, std::string member_id, Clock::time_point now);
  ClassicJoinDecision JoinKnown(ClassicJoin join, Clock::time_point now);
  ClassicJoinDecision ReplaceStatic(ClassicJoin join, std::string old_id, std::string new_id,
                                    Clock::time_point now);
  ClassicJoinDecision AddMember(ClassicJoin join, std::string member_id, Clock::time_point now);
  ClassicJoinDecision UpdateMember(ClassicMember& member, ClassicJoin join, Clock::time_point now);
  ClassicJoinResult CurrentGeneration(const ClassicMember& member, bool with_members) const;
  ClassicSyncDecision SyncNow(const ClassicSync& sync, Clock::time_point now);
  absl::Status IllegalGeneration(Generation generation) const;
  absl::Status RebalanceInProgress() const;

  void PrepareRebalance(Clock::time_point now);
  // Prepares a rebalance unless one is under way (Kafka's maybePrepareRebalanceOrCompleteJoin;
  // completion is left to Advance).
  void Rebalance(Clock::time_point now);
  bool AllJoined() const;
  void CompleteJoin(Clock::time_point now);
  void CompleteSync(const ClassicSync& leader_sync, Clock::time_point now);
  // Answers every parked SyncGroup: OK with its assignment, or `error`; renews their sessions.
  void AnswerSyncs(const absl::Status& error, Clock::time_point now);
  // Removes the member, answering its parked requests with `answer`; a new leader is the
  // earliest joiner left.
  void RemoveMember(std::string_view member_id, const absl::Status& answer);
  void ExpireSessions(Clock::time_point now);
  std::chrono::milliseconds RebalanceTimeout() const;
  std::string SelectedProtocol() const;

  std::string id_;
  std::chrono::milliseconds initial_rebalance_delay_;
  GroupState state_ = GroupState::kEmpty;
  Generation generation_{0};
  std::string protocol_type_;
  std::optional<std::string> protocol_name_;
  std::string leader_id_;
  std::map<std::string, ClassicMember, std::less<>> members_;
  std::map<std::string, std::string, std::less<>> static_members_;  // Instance id -> member id.
  std::map<std::string, Clock::time_point, std::less<>> pending_members_;  // Id -> deadline.
  uint64_t next_join_order_ = 0;
  // PreparingRebalance:
  bool initial_rebalance_ = false;      // Started by the first join of an Empty group.
  Clock::time_point join_deadline_;
  Clock::time_point delay_until_;       // Initial rebalance: earliest completion.
  // CompletingRebalance and Stable: members that have not sent SyncGroup since the join phase.
  std::set<std::string, std::less<>> pending_sync_;
  Clock::time_point sync_deadline_;
  ClassicAnswers answers_;
};

}  // namespace brook::group
