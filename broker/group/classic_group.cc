#include "broker/group/classic_group.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "broker/group/protocol_vote.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook::group {
namespace {

constexpr std::string_view kMemberIdPayloadUrl = "brook.dev/required-member-id";

absl::Status UnknownMember(std::string_view group_id, std::string_view member_id) {
  return MakeError(ErrorCode::kUnknownMemberId,
                   fmt::format("member '{}' is not in group '{}': join again with an empty "
                               "member id",
                               member_id, group_id));
}

absl::Status Fenced(std::string_view group_id, std::string_view member_id,
                    std::string_view instance_id) {
  return MakeError(ErrorCode::kFencedInstanceId,
                   fmt::format("member '{}' of group '{}' was replaced by a newer member with "
                               "group instance id '{}'",
                               member_id, group_id, instance_id));
}

std::string NamesOf(const std::vector<ClassicProtocol>& protocols) {
  std::string names;
  for (const ClassicProtocol& protocol : protocols) {
    names += names.empty() ? protocol.name : ", " + protocol.name;
  }
  return names;
}

}  // namespace

const std::string* ClassicMember::MetadataFor(std::string_view name) const {
  for (const ClassicProtocol& protocol : protocols) {
    if (protocol.name == name) return &protocol.metadata;
  }
  return nullptr;
}

absl::Status MemberIdRequired(std::string_view group_id, std::string_view member_id) {
  absl::Status status = MakeError(
      ErrorCode::kMemberIdRequired,
      fmt::format("group '{}': join again with member id '{}'", group_id, member_id));
  status.SetPayload(ToAbsl(kMemberIdPayloadUrl), absl::Cord(std::string(member_id)));
  return status;
}

std::optional<std::string> RequiredMemberId(const absl::Status& status) {
  if (CodeOf(status) != ErrorCode::kMemberIdRequired) return std::nullopt;
  auto payload = status.GetPayload(ToAbsl(kMemberIdPayloadUrl));
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

ClassicGroup::ClassicGroup(std::string id, std::chrono::milliseconds initial_rebalance_delay)
    : id_(std::move(id)), initial_rebalance_delay_(initial_rebalance_delay) {}

// ---- JoinGroup ------------------------------------------------------------------------------

ClassicJoinDecision ClassicGroup::Join(ClassicJoin join, std::string fresh_member_id,
                                       Clock::time_point now) {
  Advance(now);
  ClassicJoinDecision decision;
  if (!SupportsProtocols(join.protocol_type, join.protocols)) {
    decision = {join.member_id,
                MakeError(ErrorCode::kInconsistentGroupProtocol,
                          fmt::format("group '{}' (protocol type '{}') has no protocol in common "
                                      "with '{}' [{}]",
                                      id_, protocol_type_, join.protocol_type,
                                      NamesOf(join.protocols)))};
  } else if (join.member_id.empty()) {
    decision = JoinNew(std::move(join), std::move(fresh_member_id), now);
  } else {
    decision = JoinKnown(std::move(join), now);
  }
  Advance(now);
  return decision;
}

ClassicJoinDecision ClassicGroup::JoinNew(ClassicJoin join, std::string member_id,
                                          Clock::time_point now) {
  if (join.group_instance_id) {
    auto known = static_members_.find(*join.group_instance_id);
    if (known != static_members_.end()) {
      return ReplaceStatic(std::move(join), known->second, std::move(member_id), now);
    }
    return AddMember(std::move(join), std::move(member_id), now);
  }
  if (join.require_known_member_id) {
    pending_members_[member_id] = now + join.session_timeout;
    return {member_id, MemberIdRequired(id_, member_id)};
  }
  return AddMember(std::move(join), std::move(member_id), now);
}

ClassicJoinDecision ClassicGroup::JoinKnown(ClassicJoin join, Clock::time_point now) {
  const std::string id = join.member_id;
  if (!join.group_instance_id && pending_members_.contains(id)) {
    return AddMember(std::move(join), id, now);
  }
  if (absl::Status s = ValidateMember(id, join.group_instance_id); !s.ok()) return {id, s};
  ClassicMember& member = members_.find(id)->second;
  switch (state_) {
    case GroupState::kPreparingRebalance:
      return UpdateMember(member, std::move(join), now);
    case GroupState::kCompletingRebalance:
      // The same join again (its answer was lost): the current generation, no rebalance.
      if (member.protocols == join.protocols) {
        return {id, CurrentGeneration(member, id == leader_id_)};
      }
      return UpdateMember(member, std::move(join), now);
    case GroupState::kStable:
      // The leader rejoins to make the group rebalance (say, for new partitions).
      if (id == leader_id_ || member.protocols != join.protocols) {
        return UpdateMember(member, std::move(join), now);
      }
      return {id, CurrentGeneration(member, false)};
    case GroupState::kEmpty:
      break;
  }
  return {id, UnknownMember(id_, id)};
}

ClassicJoinDecision ClassicGroup::AddMember(ClassicJoin join, std::string member_id,
                                            Clock::time_point now) {
  if (members_.empty()) protocol_type_ = join.protocol_type;
  if (leader_id_.empty()) leader_id_ = member_id;
  if (join.group_instance_id) static_members_[*join.group_instance_id] = member_id;
  pending_members_.erase(member_id);
  ClassicMember& member = members_[member_id];
  member.id = member_id;
  member.group_instance_id = std::move(join.group_instance_id);
  member.client_id = std::move(join.client_id);
  member.client_host = std::move(join.client_host);
  member.session_timeout = join.session_timeout;
  member.rebalance_timeout = join.rebalance_timeout;
  member.protocols = std::move(join.protocols);
  member.session_deadline = now + kNewMemberJoinTimeout;
  member.join_order = next_join_order_++;
  member.awaiting_join = true;
  if (state_ == GroupState::kPreparingRebalance && initial_rebalance_) {
    delay_until_ = std::min(now + initial_rebalance_delay_, join_deadline_);
  }
  Rebalance(now);
  return {member_id, std::nullopt};
}

ClassicJoinDecision ClassicGroup::UpdateMember(ClassicMember& member, ClassicJoin join,
                                               Clock::time_point now) {
  member.protocols = std::move(join.protocols);
  member.session_timeout = join.session_timeout;
  member.rebalance_timeout = join.rebalance_timeout;
  member.awaiting_join = true;
  Rebalance(now);
  return {member.id, std::nullopt};
}

ClassicJoinDecision ClassicGroup::ReplaceStatic(ClassicJoin join, std::string old_id,
                                                std::string new_id, Clock::time_point now) {
  const std::string old_leader = leader_id_;
  const std::string instance_id = *join.group_instance_id;
  auto node = members_.extract(old_id);
  ClassicMember member = std::move(node.mapped());
  const absl::Status fenced = Fenced(id_, old_id, instance_id);
  if (member.awaiting_join) answers_.joins.emplace_back(old_id, fenced);
  if (member.awaiting_sync) answers_.syncs.emplace_back(old_id, fenced);
  member.awaiting_sync = false;
  member.id = new_id;
  member.session_deadline = now + member.session_timeout;
  if (leader_id_ == old_id) leader_id_ = new_id;
  static_members_[instance_id] = new_id;
  if (pending_sync_.erase(old_id) > 0) pending_sync_.insert(new_id);
  ClassicMember& replaced = members_.emplace(new_id, std::move(member)).first->second;
  if (state_ == GroupState::kStable) {
    std::vector<ClassicProtocol> old_protocols = std::exchange(replaced.protocols, join.protocols);
    if (SelectedProtocol() == protocol_name_) {
      // Nothing the assignment depends on changed: the member resumes with its assignment.
      replaced.session_timeout = join.session_timeout;
      replaced.rebalance_timeout = join.rebalance_timeout;
      const bool leads = leader_id_ == new_id;
      ClassicJoinResult result =
          CurrentGeneration(replaced, join.supports_skip_assignment && leads);
      if (join.supports_skip_assignment) {
        result.skip_assignment = leads;
      } else {
        result.leader_id = old_leader;  // So that a replaced leader does not assign again.
      }
      return {new_id, std::move(result)};
    }
    replaced.protocols = std::move(old_protocols);
  }
  // CompletingRebalance: the leader may be assigning to the old id; rebalance.
  return UpdateMember(replaced, std::move(join), now);
}

ClassicJoinResult ClassicGroup::CurrentGeneration(const ClassicMember& member,
                                                  bool with_members) const {
  ClassicJoinResult result;
  result.generation = generation_;
  result.protocol_type = protocol_type_;
  result.protocol_name = protocol_name_;
  result.leader_id = leader_id_;
  result.member_id = member.id;
  if (!with_members) return result;
  for (const ClassicMember* m : MembersInJoinOrder()) {
    const std::string* metadata = protocol_name_ ? m->MetadataFor(*protocol_name_) : nullptr;
    result.members.push_back(
        {m->id, m->group_instance_id, metadata != nullptr ? *metadata : std::string()});
  }
  return result;
}

bool ClassicGroup::SupportsProtocols(std::string_view type,
                                     const std::vector<ClassicProtocol>& protocols) const {
  if (state_ == GroupState::kEmpty) return !type.empty() && !protocols.empty();
  if (type != protocol_type_) return false;
  return std::any_of(protocols.begin(), protocols.end(), [&](const ClassicProtocol& p) {
    return std::all_of(members_.begin(), members_.end(), [&](const auto& entry) {
      return entry.second.MetadataFor(p.name) != nullptr;
    });
  });
}

absl::Status ClassicGroup::ValidateMember(
    std::string_view member_id, std::optional<std::string_view> group_instance_id) const {
  if (group_instance_id) {
    auto it = static_members_.find(*group_instance_id);
    if (it == static_members_.end()) {
      return MakeError(ErrorCode::kUnknownMemberId,
                       fmt::format("group instance id '{}' is not in group '{}'",
                                   *group_instance_id, id_));
    }
    if (it->second != member_id) return Fenced(id_, member_id, *group_instance_id);
  }
  if (!members_.contains(member_id)) return UnknownMember(id_, member_id);
  return absl::OkStatus();
}

// ---- SyncGroup, Heartbeat, LeaveGroup, OffsetCommit -----------------------------------------

ClassicSyncDecision ClassicGroup::Sync(ClassicSync sync, Clock::time_point now) {
  Advance(now);
  ClassicSyncDecision decision = SyncNow(sync, now);
  Advance(now);
  return decision;
}

ClassicSyncDecision ClassicGroup::SyncNow(const ClassicSync& sync, Clock::time_point now) {
  if (members_.empty()) return {UnknownMember(id_, sync.member_id)};
  if (absl::Status s = ValidateMember(sync.member_id, sync.group_instance_id); !s.ok()) {
    return {s};
  }
  if (sync.generation != generation_) return {IllegalGeneration(sync.generation)};
  if ((sync.protocol_type && *sync.protocol_type != protocol_type_) ||
      (sync.protocol_name && protocol_name_ && *sync.protocol_name != *protocol_name_)) {
    return {MakeError(ErrorCode::kInconsistentGroupProtocol,
                      fmt::format("group '{}' uses protocol '{}' of type '{}', not '{}' of type "
                                  "'{}'",
                                  id_, protocol_name_.value_or(""), protocol_type_,
                                  sync.protocol_name.value_or(""),
                                  sync.protocol_type.value_or("")))};
  }
  ClassicMember& member = members_.find(sync.member_id)->second;
  switch (state_) {
    case GroupState::kPreparingRebalance:
      return {RebalanceInProgress()};
    case GroupState::kCompletingRebalance:
      member.awaiting_sync = true;
      pending_sync_.erase(member.id);
      if (member.id == leader_id_) CompleteSync(sync, now);
      return {std::nullopt};
    case GroupState::kStable:
      pending_sync_.erase(member.id);
      return {ClassicSyncResult{protocol_type_, protocol_name_, member.assignment}};
    case GroupState::kEmpty:
      break;
  }
  return {UnknownMember(id_, sync.member_id)};
}

absl::Status ClassicGroup::Heartbeat(std::string_view member_id,
                                     std::optional<std::string_view> group_instance_id,
                                     Generation generation, Clock::time_point now) {
  Advance(now);
  if (absl::Status s = ValidateMember(member_id, group_instance_id); !s.ok()) return s;
  if (generation != generation_) return IllegalGeneration(generation);
  ClassicMember& member = members_.find(member_id)->second;
  member.session_deadline = now + member.session_timeout;
  if (state_ == GroupState::kPreparingRebalance) return RebalanceInProgress();
  return absl::OkStatus();
}

std::vector<absl::Status> ClassicGroup::Leave(std::span<const ClassicLeaver> leavers,
                                              Clock::time_point now) {
  Advance(now);
  std::vector<absl::Status> results;
  bool left = false;
  for (const ClassicLeaver& leaver : leavers) {
    absl::Status status;
    if (leaver.member_id.empty()) {
      // An administrative removal by instance id.
      auto known = leaver.group_instance_id ? static_members_.find(*leaver.group_instance_id)
                                            : static_members_.end();
      if (known == static_members_.end()) {
        status = UnknownMember(id_, leaver.group_instance_id.value_or(""));
      } else {
        RemoveMember(known->second, UnknownMember(id_, known->second));
      }
    } else if (pending_members_.erase(leaver.member_id) > 0) {
      // A member id handed out with MEMBER_ID_REQUIRED and never used.
    } else {
      status = ValidateMember(leaver.member_id, leaver.group_instance_id);
      if (status.ok()) RemoveMember(leaver.member_id, UnknownMember(id_, leaver.member_id));
    }
    left = left || status.ok();
    results.push_back(std::move(status));
  }
  if (left && (state_ == GroupState::kStable || state_ == GroupState::kCompletingRebalance)) {
    PrepareRebalance(now);
  }
  Advance(now);
  return results;
}

absl::Status ClassicGroup::CheckCommit(std::string_view member_id,
                                       std::optional<std::string_view> group_instance_id,
                                       Generation generation) const {
  if (generation.value < 0 && state_ == GroupState::kEmpty) return absl::OkStatus();
  if (generation.value >= 0 || !member_id.empty() || group_instance_id) {
    if (absl::Status s = ValidateMember(member_id, group_instance_id); !s.ok()) return s;
    if (generation != generation_) return IllegalGeneration(generation);
  } else if (state_ != GroupState::kEmpty) {
    return MakeError(ErrorCode::kUnknownMemberId,
                     fmt::format("group '{}' has {} live member(s): only they may commit", id_,
                                 members_.size()));
  }
  // A member that has its JoinGroup answer commits once it has its assignment.
  if (state_ == GroupState::kCompletingRebalance) return RebalanceInProgress();
  return absl::OkStatus();
}

// ---- Time and rebalances --------------------------------------------------------------------

void ClassicGroup::Advance(Clock::time_point now) {
  std::erase_if(pending_members_, [&](const auto& entry) { return now >= entry.second; });
  ExpireSessions(now);
  if ((state_ == GroupState::kCompletingRebalance || state_ == GroupState::kStable) &&
      !pending_sync_.empty() && now >= sync_deadline_) {
    const std::vector<std::string> late(pending_sync_.begin(), pending_sync_.end());
    for (const std::string& id : late) RemoveMember(id, UnknownMember(id_, id));
    PrepareRebalance(now);
  }
  if (state_ == GroupState::kPreparingRebalance &&
      (initial_rebalance_ ? now >= delay_until_ : AllJoined() || now >= join_deadline_)) {
    CompleteJoin(now);
  }
}

ClassicAnswers ClassicGroup::TakeAnswers() { return std::exchange(answers_, {}); }

void ClassicGroup::ExpireSessions(Clock::time_point now) {
  std::vector<std::string> expired;
  for (const auto& [id, member] : members_) {
    // A member whose request is parked is waiting for the group, not silent.
    const bool waiting = !member.is_new && (member.awaiting_join || member.awaiting_sync);
    if (!waiting && now >= member.session_deadline) expired.push_back(id);
  }
  for (const std::string& id : expired) RemoveMember(id, UnknownMember(id_, id));
  if (!expired.empty() &&
      (state_ == GroupState::kStable || state_ == GroupState::kCompletingRebalance)) {
    PrepareRebalance(now);
  }
}

void ClassicGroup::Rebalance(Clock::time_point now) {
  if (state_ != GroupState::kPreparingRebalance) PrepareRebalance(now);
}

void ClassicGroup::PrepareRebalance(Clock::time_point now) {
  if (state_ == GroupState::kCompletingRebalance) {
    for (auto& [id, member] : members_) member.assignment.clear();
    AnswerSyncs(RebalanceInProgress(), now);
  }
  pending_sync_.clear();
  initial_rebalance_ = state_ == GroupState::kEmpty;
  state_ = GroupState::kPreparingRebalance;
  if (initial_rebalance_) {
    delay_until_ = now + initial_rebalance_delay_;
    join_deadline_ = now + std::max(RebalanceTimeout(), initial_rebalance_delay_);
  } else {
    join_deadline_ = now + RebalanceTimeout();
  }
}

bool ClassicGroup::AllJoined() const {
  return pending_members_.empty() &&
         std::all_of(members_.begin(), members_.end(),
                     [](const auto& entry) { return entry.second.awaiting_join; });
}

void ClassicGroup::CompleteJoin(Clock::time_point now) {
  std::vector<std::string> late;
  for (const auto& [id, member] : members_) {
    if (!member.awaiting_join && !member.group_instance_id) late.push_back(id);
  }
  for (const std::string& id : late) RemoveMember(id, UnknownMember(id_, id));
  const ClassicMember* leader = member(leader_id_);
  if (leader != nullptr && !leader->awaiting_join) {
    leader = nullptr;
    for (const ClassicMember* m : MembersInJoinOrder()) {
      if (m->awaiting_join) {
        leader = m;
        break;
      }
    }
    if (leader == nullptr) {
      // Only static members that have not rejoined: give them another rebalance timeout.
      initial_rebalance_ = false;
      join_deadline_ = now + RebalanceTimeout();
      return;
    }
    leader_id_ = leader->id;
  }
  generation_ = Generation(generation_.value + 1);
  initial_rebalance_ = false;
  if (members_.empty()) {
    protocol_name_.reset();
    state_ = GroupState::kEmpty;
    return;
  }
  protocol_name_ = SelectedProtocol();
  state_ = GroupState::kCompletingRebalance;
  for (auto& [id, member] : members_) {
    if (member.awaiting_join) {
      answers_.joins.emplace_back(id, CurrentGeneration(member, id == leader_id_));
      member.awaiting_join = false;
    }
    member.is_new = false;
    member.session_deadline = now + member.session_timeout;
    pending_sync_.insert(id);
  }
  sync_deadline_ = now + RebalanceTimeout();
}

void ClassicGroup::CompleteSync(const ClassicSync& leader_sync, Clock::time_point now) {
  std::map<std::string_view, std::string_view> given;
  for (const auto& [member_id, bytes] : leader_sync.assignments) given[member_id] = bytes;
  for (auto& [id, member] : members_) {
    auto it = given.find(id);
    member.assignment = it == given.end() ? std::string() : std::string(it->second);
  }
  state_ = GroupState::kStable;
  AnswerSyncs(absl::OkStatus(), now);
}

void ClassicGroup::AnswerSyncs(const absl::Status& error, Clock::time_point now) {
  for (auto& [id, member] : members_) {
    if (!member.awaiting_sync) continue;
    if (error.ok()) {
      answers_.syncs.emplace_back(
          id, ClassicSyncResult{protocol_type_, protocol_name_, member.assignment});
    } else {
      answers_.syncs.emplace_back(id, error);
    }
    member.awaiting_sync = false;
    member.session_deadline = now + member.session_timeout;
  }
}

void ClassicGroup::RemoveMember(std::string_view member_id, const absl::Status& answer) {
  auto it = members_.find(member_id);
  const std::string id = it->first;
  if (it->second.awaiting_join) answers_.joins.emplace_back(id, answer);
  if (it->second.awaiting_sync) answers_.syncs.emplace_back(id, answer);
  if (it->second.group_instance_id) static_members_.erase(*it->second.group_instance_id);
  pending_sync_.erase(id);
  members_.erase(it);
  if (leader_id_ == id) {
    std::vector<const ClassicMember*> rest = MembersInJoinOrder();
    leader_id_ = rest.empty() ? std::string() : rest.front()->id;
  }
}

std::chrono::milliseconds ClassicGroup::RebalanceTimeout() const {
  std::chrono::milliseconds longest{0};
  for (const auto& [id, member] : members_) longest = std::max(longest, member.rebalance_timeout);
  return longest;
}

std::string ClassicGroup::SelectedProtocol() const {
  std::vector<ProtocolPreferences> votes;
  for (const ClassicMember* member : MembersInJoinOrder()) {
    ProtocolPreferences& names = votes.emplace_back();
    for (const ClassicProtocol& protocol : member->protocols) names.push_back(protocol.name);
  }
  return SelectProtocol(votes).value_or(std::string());
}

std::vector<const ClassicMember*> ClassicGroup::MembersInJoinOrder() const {
  std::vector<const ClassicMember*> out;
  for (const auto& [id, member] : members_) out.push_back(&member);
  std::sort(out.begin(), out.end(), [](const ClassicMember* a, const ClassicMember* b) {
    return a->join_order < b->join_order;
  });
  return out;
}

const ClassicMember* ClassicGroup::member(std::string_view member_id) const {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

absl::Status ClassicGroup::IllegalGeneration(Generation generation) const {
  return MakeError(ErrorCode::kIllegalGeneration,
                   fmt::format("generation {} is not the current generation {} of group '{}'",
                               generation.value, generation_.value, id_));
}

absl::Status ClassicGroup::RebalanceInProgress() const {
  return MakeError(ErrorCode::kRebalanceInProgress,
                   fmt::format("group '{}' is rebalancing: join again", id_));
}

}  // namespace brook::group
