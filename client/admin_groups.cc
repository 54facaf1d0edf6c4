// Admin's consumer-group methods (the others are in admin.cc).
#include <algorithm>
#include <map>

#include "client/admin.h"
#include "client/admin_impl.h"
#include "client/group_assignment.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"

namespace brook {
namespace {

// A per-group error of DescribeGroups/DeleteGroups; the broker's message when it sent one.
absl::Status GroupError(ErrorCode code, std::string_view group,
                        const std::optional<std::string>& broker_message = std::nullopt) {
  if (broker_message) return MakeError(code, *broker_message);
  if (code == ErrorCode::kGroupIdNotFound) {
    return MakeError(code, fmt::format("group '{}' does not exist", group));
  }
  if (code == ErrorCode::kNonEmptyGroup) {
    return MakeError(code, fmt::format("group '{}' has live members; stop them first", group));
  }
  return MakeError(code, fmt::format("group '{}': {}", group, ErrorDescription(code)));
}

std::vector<TopicPartition> Flatten(const std::vector<TopicPartitions>& topics) {
  std::vector<TopicPartition> out;
  for (const TopicPartitions& t : topics) {
    for (int32_t p : t.partitions) out.push_back({t.name, PartitionId(p)});
  }
  std::sort(out.begin(), out.end());
  return out;
}

GroupDescription Describe(const DescribeGroupsResponse::Group& g) {
  GroupDescription out{g.group_id, g.state, g.assignor, g.generation_id, {}, {}};
  for (const auto& m : g.members) {
    out.members.push_back(
        {m.member_id, m.client_id, m.client_host, m.topics, Flatten(m.assignment)});
  }
  for (const auto& t : g.offsets) {
    for (const auto& p : t.partitions) {
      out.offsets.push_back({{t.name, PartitionId(p.partition)}, p.committed_offset,
                             p.log_end_offset, p.lag, p.metadata});
    }
  }
  std::sort(out.offsets.begin(), out.offsets.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return out;
}

std::string PartitionName(const std::string& topic, int32_t partition) {
  return fmt::format("{}-{}", topic, partition);
}

// OK when every partition was stored; else the first refused partition's code, with a
// message naming each refused partition and why.
absl::Status CommitOutcome(const OffsetCommitResponse& response, std::string_view group) {
  ErrorCode first = ErrorCode::kNone;
  std::string refused;
  for (const auto& t : response.topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code == ErrorCode::kNone) continue;
      if (first == ErrorCode::kNone) first = p.error_code;
      refused += fmt::format("{}{} ({})", refused.empty() ? "" : ", ",
                             PartitionName(t.name, p.partition), ErrorDescription(p.error_code));
    }
  }
  if (first == ErrorCode::kNone) return absl::OkStatus();
  return MakeError(first,
                   fmt::format("group '{}': offsets not committed for {}", group, refused));
}

// The committed offsets of `group` in `topic`, by partition, read from a DescribeGroups
// answer (which also tells whether the group has live members). A group that does not exist
// has none. Errors: NON_EMPTY_GROUP when the group has members; the errors of DescribeGroup.
absl::StatusOr<std::map<int32_t, int64_t>> CommittedWhileEmpty(
    const absl::StatusOr<GroupDescription>& group, std::string_view group_id,
    std::string_view topic) {
  std::map<int32_t, int64_t> committed;
  if (!group.ok()) {
    if (CodeOf(group.status()) == ErrorCode::kGroupIdNotFound) return committed;
    return group.status();
  }
  if (!group->members.empty()) {
    const size_t n = group->members.size();
    return MakeError(ErrorCode::kNonEmptyGroup,
                     fmt::format("group '{}' has {} live member{}; stop {} before resetting its "
                                 "offsets",
                                 group_id, n, n == 1 ? "" : "s", n == 1 ? "it" : "them"));
  }
  for (const GroupPartitionOffset& o : group->offsets) {
    if (o.partition.topic == topic && o.committed_offset >= 0) {
      committed[o.partition.partition.value] = o.committed_offset;
    }
  }
  return committed;
}

}  // namespace

absl::StatusOr<std::vector<GroupListing>> Admin::ListGroups() {
  auto reply = impl_->Call(ListGroupsRequest{});
  if (!reply.ok()) return reply.status();
  std::vector<GroupListing> out;
  for (const auto& g : reply->message.groups) out.push_back({g.group_id, g.state, g.members});
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

absl::StatusOr<GroupDescription> Admin::DescribeGroup(std::string_view group) {
  DescribeGroupsRequest request;
  request.groups.emplace_back(group);
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  for (const auto& g : reply->message.groups) {
    if (g.group_id != group) continue;
    if (g.error_code != ErrorCode::kNone) return GroupError(g.error_code, group);
    return Describe(g);
  }
  return MakeError(ErrorCode::kUnknownServerError,
                   fmt::format("the DescribeGroups response has no entry for group '{}'", group));
}

absl::Status Admin::DeleteGroup(std::string_view group) {
  DeleteGroupsRequest request;
  request.groups.emplace_back(group);
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  for (const auto& r : reply->message.results) {
    if (r.group_id != group) continue;
    if (r.error_code == ErrorCode::kNone) return absl::OkStatus();
    return GroupError(r.error_code, group, r.error_message);
  }
  return MakeError(ErrorCode::kUnknownServerError,
                   fmt::format("the DeleteGroups response has no result for group '{}'", group));
}

absl::StatusOr<std::vector<OffsetDeletion>> Admin::DeleteGroupOffsets(
    std::string_view group, const std::vector<TopicPartition>& partitions) {
  OffsetDeleteRequest request;
  request.group_id = std::string(group);
  request.topics = client::ToWire(partitions);
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  std::vector<OffsetDeletion> out;
  for (const auto& t : reply->message.topics) {
    for (const auto& p : t.partitions) {
      OffsetDeletion& deletion = out.emplace_back();
      deletion.partition = {t.name, PartitionId(p.partition)};
      if (p.error_code == ErrorCode::kNone) continue;
      deletion.status = MakeError(
          p.error_code, p.error_message.value_or(fmt::format("{}: {}",
                                                              PartitionName(t.name, p.partition),
                                                              ErrorDescription(p.error_code))));
    }
  }
  return out;
}

absl::StatusOr<std::vector<CommittedOffset>> Admin::ListGroupOffsets(std::string_view group) {
  OffsetFetchRequest request;
  request.group_id = std::string(group);  // topics stays null: every commit of the group.
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  std::vector<CommittedOffset> out;
  for (const auto& t : reply->message.topics) {
    for (const auto& p : t.partitions) {
      if (p.error_code != ErrorCode::kNone) {
        return MakeError(p.error_code, fmt::format("group '{}', {}: {}", group,
                                                   PartitionName(t.name, p.partition),
                                                   ErrorDescription(p.error_code)));
      }
      if (p.committed_offset < 0) continue;
      out.push_back({{t.name, PartitionId(p.partition)}, p.committed_offset, p.metadata});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return out;
}

absl::Status Admin::AlterGroupOffsets(
    std::string_view group, const std::vector<std::pair<TopicPartition, int64_t>>& offsets) {
  OffsetCommitRequest request;
  request.group_id = std::string(group);
  request.generation_id = -1;  // With the empty member_id: a commit from outside the group.
  std::map<std::string, std::vector<OffsetCommitRequest::Partition>> by_topic;
  for (const auto& [tp, offset] : offsets) {
    by_topic[tp.topic].push_back({tp.partition.value, offset, std::nullopt});
  }
  for (auto& [topic, partitions] : by_topic) {
    request.topics.push_back({topic, std::move(partitions)});
  }
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  return CommitOutcome(reply->message, group);
}

absl::StatusOr<std::vector<OffsetResetChange>> Admin::ResetGroupOffsets(
    std::string_view group, std::string_view topic, const OffsetResetSpec& spec, bool dry_run) {
  absl::StatusOr<std::map<int32_t, int64_t>> committed =
      CommittedWhileEmpty(DescribeGroup(group), group, topic);
  if (!committed.ok()) return committed.status();
  absl::StatusOr<TopicDescription> description = DescribeTopic(topic);
  if (!description.ok()) return description.status();

  std::vector<OffsetResetChange> changes;
  for (const PartitionDescription& p : description->partitions) {
    const TopicPartition tp{std::string(topic), PartitionId(p.partition)};
    ResetInputs inputs{p.log_start_offset, p.log_end_offset, -1, -1};
    if (auto it = committed->find(p.partition); it != committed->end()) {
      inputs.committed_offset = it->second;
    }
    if (spec.mode == OffsetResetSpec::Mode::kToDatetime) {
      // Before 1970 means "from the start"; negative values are ListOffsets' special codes.
      absl::StatusOr<OffsetAndTimestamp> at = ListOffsets(tp, std::max<int64_t>(spec.value, 0));
      if (!at.ok()) return at.status();
      inputs.offset_at_datetime = at->offset;
    }
    absl::StatusOr<int64_t> target = ResetTarget(spec, tp, inputs);
    if (!target.ok()) return target.status();
    changes.push_back({p.partition, inputs.committed_offset, *target});
  }
  if (dry_run) return changes;

  std::vector<std::pair<TopicPartition, int64_t>> offsets;
  for (const OffsetResetChange& c : changes) {
    offsets.push_back({{std::string(topic), PartitionId(c.partition)}, c.new_offset});
  }
  absl::Status altered = AlterGroupOffsets(group, offsets);
  if (!altered.ok()) return altered;
  return changes;
}

}  // namespace brook
