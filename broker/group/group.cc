#include "broker/group/group.h"

#include <algorithm>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"

namespace brook::group {
namespace {

constexpr size_t kMaxGroupIdBytes = 255;

// The partitions in both lists. `owned` comes from a client: any order, maybe duplicates.
std::vector<TopicPartition> Intersect(std::vector<TopicPartition> owned,
                                      const std::vector<TopicPartition>& previous) {
  std::sort(owned.begin(), owned.end());
  owned.erase(std::unique(owned.begin(), owned.end()), owned.end());
  std::vector<TopicPartition> trusted;
  std::set_intersection(owned.begin(), owned.end(), previous.begin(), previous.end(),
                        std::back_inserter(trusted));
  return trusted;
}

}  // namespace

std::string_view StateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return kGroupEmpty;
    case GroupState::kPreparingRebalance:
      return kGroupPreparingRebalance;
    case GroupState::kCompletingRebalance:
      return kGroupCompletingRebalance;
    case GroupState::kStable:
      return kGroupStable;
  }
  return "Unknown";
}

absl::Status ValidateGroupId(std::string_view group_id) {
  if (group_id.empty() || group_id.size() > kMaxGroupIdBytes) {
    return MakeError(ErrorCode::kInvalidGroupId,
                     fmt::format("a group id is 1-{} bytes, not {}", kMaxGroupIdBytes,
                                 group_id.size()));
  }
  return absl::OkStatus();
}

Group::Group(std::string id, std::chrono::milliseconds initial_rebalance_delay)
    : id_(std::move(id)), initial_rebalance_delay_(initial_rebalance_delay) {}

absl::Status Group::Join(MemberJoin join, Clock::time_point now) {
  if (!join.new_member && !has_member(join.member_id)) {
    return MakeError(ErrorCode::kUnknownMemberId,
                     fmt::format("member '{}' is not in group '{}': join with an empty member id",
                                 join.member_id, id_));
  }
  for (const auto& [id, member] : members_) {
    if (id != join.member_id && member.assignor != join.assignor) {
      return MakeError(ErrorCode::kInconsistentGroupProtocol,
                       fmt::format("group '{}' uses assignor '{}', not '{}'", id_,
                                   member.assignor, join.assignor));
    }
  }
  Member& member = members_[join.member_id];
  if (join.new_member) {
    member.id = join.member_id;
    member.join_order = next_join_order_++;
  }
  member.client_id = std::move(join.client_id);
  member.client_host = std::move(join.client_host);
  member.session_timeout = join.session_timeout;
  member.rebalance_timeout = join.rebalance_timeout;
  member.topics = std::move(join.topics);
  member.assignor = join.assignor;
  member.owned = std::move(join.owned);
  member.session_deadline = now + member.session_timeout;
  assignor_ = std::move(join.assignor);

  switch (state_) {
    case GroupState::kEmpty:
      StartRebalance(now);
      initial_rebalance_ = true;
      break;
    case GroupState::kStable:
      StartRebalance(now);
      break;
    case GroupState::kPreparingRebalance:
    case GroupState::kCompletingRebalance:  // Only Kafka's classic groups sync; never here.
      break;
  }
  joined_.insert(member.id);
  if (initial_rebalance_) {
    delay_until_ = std::min(now + initial_rebalance_delay_, RebalanceDeadline());
  }
  return absl::OkStatus();
}

absl::Status Group::CheckActive(std::string_view member_id, Generation generation,
                                Clock::time_point now) {
  absl::StatusOr<Member*> member = Renew(member_id, now);
  if (!member.ok()) return member.status();
  if (state_ == GroupState::kPreparingRebalance) {
    return MakeError(ErrorCode::kRebalanceInProgress,
                     fmt::format("group '{}' is rebalancing: join again", id_));
  }
  return CheckGeneration(**member, generation);
}

absl::Status Group::CheckCommit(std::string_view member_id, Generation generation,
                                Clock::time_point now) {
  if (member_id.empty() && generation == kNoGeneration) {
    if (members_.empty()) return absl::OkStatus();
    return MakeError(ErrorCode::kNonEmptyGroup,
                     fmt::format("group '{}' has {} live member(s): only they may commit", id_,
                                 members_.size()));
  }
  absl::StatusOr<Member*> member = Renew(member_id, now);
  if (!member.ok()) return member.status();
  return CheckGeneration(**member, generation);
}

absl::Status Group::Leave(std::string_view member_id, Clock::time_point now) {
  if (absl::StatusOr<Member*> member = Renew(member_id, now); !member.ok()) {
    return member.status();
  }
  RemoveMember(member_id, now);
  return absl::OkStatus();
}

bool Group::OnTopicChanged(std::string_view topic, Clock::time_point now) {
  if (state_ != GroupState::kStable) return false;
  for (const auto& [id, member] : members_) {
    if (std::find(member.topics.begin(), member.topics.end(), topic) != member.topics.end()) {
      StartRebalance(now);
      return true;
    }
  }
  return false;
}

std::vector<std::string> Group::Expire(Clock::time_point now) {
  std::vector<std::string> expired;
  for (const auto& [id, member] : members_) {
    const bool waiting_in_join =
        state_ == GroupState::kPreparingRebalance && joined_.contains(id);
    if (!waiting_in_join && now >= member.session_deadline) expired.push_back(id);
  }
  for (const std::string& id : expired) RemoveMember(id, now);
  if (state_ == GroupState::kPreparingRebalance && now >= RebalanceDeadline()) {
    std::vector<std::string> late;
    for (const auto& [id, member] : members_) {
      if (!joined_.contains(id)) late.push_back(id);
    }
    for (const std::string& id : late) RemoveMember(id, now);
    expired.insert(expired.end(), late.begin(), late.end());
  }
  return expired;
}

bool Group::ReadyToComplete(Clock::time_point now) const {
  return state_ == GroupState::kPreparingRebalance && !members_.empty() &&
         joined_.size() == members_.size() && (!initial_rebalance_ || now >= delay_until_);
}

std::set<std::string> Group::SubscribedTopics() const {
  std::set<std::string> topics;
  for (const auto& [id, member] : members_) topics.insert(member.topics.begin(), member.topics.end());
  return topics;
}

RebalanceResult Group::CompleteRebalance(const PartitionCounts& counts, Clock::time_point now) {
  const Assignor* assignor = FindAssignor(assignor_);
  const bool cooperative = assignor->protocol() == RebalanceProtocol::kCooperative;
  std::vector<AssignorMember> inputs;
  for (const auto& [id, member] : members_) {
    AssignorMember& input = inputs.emplace_back();
    input.member_id = id;
    input.topics = member.topics;
    if (cooperative) input.owned = Intersect(member.owned, member.assignment);
  }
  RebalanceResult result;
  result.assignment = assignor->Assign(inputs, counts);
  if (cooperative) result.withheld = WithholdOwnedElsewhere(inputs, &result.assignment);

  generation_ = Generation(generation_ == kNoGeneration ? 1 : generation_.value + 1);
  state_ = GroupState::kStable;
  joined_.clear();
  initial_rebalance_ = false;
  for (auto& [id, member] : members_) {
    member.assignment = result.assignment[id];
    member.generation = generation_;
    member.session_deadline = now + member.session_timeout;
  }
  result.generation = generation_;
  result.leader_id = leader_id();
  result.assignor = assignor_;
  return result;
}

std::string Group::leader_id() const {
  const Member* leader = nullptr;
  for (const auto& [id, member] : members_) {
    if (leader == nullptr || member.join_order < leader->join_order) leader = &member;
  }
  return leader != nullptr ? leader->id : std::string();
}

bool Group::has_member(std::string_view member_id) const {
  return members_.find(member_id) != members_.end();
}

absl::StatusOr<Member*> Group::Renew(std::string_view member_id, Clock::time_point now) {
  auto it = members_.find(member_id);
  if (it == members_.end()) {
    return MakeError(ErrorCode::kUnknownMemberId,
                     fmt::format("member '{}' is not in group '{}': join again with an empty "
                                 "member id",
                                 member_id, id_));
  }
  it->second.session_deadline = now + it->second.session_timeout;
  return &it->second;
}

absl::Status Group::CheckGeneration(const Member& member, Generation generation) const {
  if (member.generation != generation || generation != generation_) {
    return MakeError(ErrorCode::kIllegalGeneration,
                     fmt::format("generation {} is not the current generation {} of group '{}'",
                                 generation.value, generation_.value, id_));
  }
  return absl::OkStatus();
}

void Group::StartRebalance(Clock::time_point now) {
  state_ = GroupState::kPreparingRebalance;
  joined_.clear();
  rebalance_start_ = now;
  initial_rebalance_ = false;
}

void Group::RemoveMember(std::string_view member_id, Clock::time_point now) {
  members_.erase(members_.find(member_id));
  if (auto it = joined_.find(member_id); it != joined_.end()) joined_.erase(it);
  if (members_.empty()) {
    state_ = GroupState::kEmpty;
    assignor_.clear();
    joined_.clear();
    initial_rebalance_ = false;
  } else if (state_ == GroupState::kStable) {
    StartRebalance(now);
  }
}

Clock::time_point Group::RebalanceDeadline() const {
  std::chrono::milliseconds longest{0};
  for (const auto& [id, member] : members_) longest = std::max(longest, member.rebalance_timeout);
  return rebalance_start_ + longest;
}

}  // namespace brook::group
