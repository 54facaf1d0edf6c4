// DescribeGroups, ListGroups and DeleteGroups: what tools see of consumer groups (membership
// from the GroupCoordinator, commits from the OffsetStore, log ends from the LogStore).
#include <map>

#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_partitions.h"
#include "protocol/absl_compat.h"

namespace brook {
namespace {

using PartitionOffset = DescribeGroupsResponse::PartitionOffset;

// Every partition the group has a commit for or has assigned, by topic then partition.
std::vector<TopicOf<PartitionOffset>> OffsetsOf(BrokerContext& ctx,
                                                const std::vector<group::Member>& members,
                                                const std::vector<storage::CommittedOffset>& commits) {
  std::map<TopicPartition, const storage::CommittedOffset*> partitions;
  for (const storage::CommittedOffset& commit : commits) partitions[commit.partition] = &commit;
  for (const group::Member& member : members) {
    for (const TopicPartition& tp : member.assignment) partitions.try_emplace(tp, nullptr);
  }
  std::vector<TopicOf<PartitionOffset>> topics;
  for (const auto& [tp, commit] : partitions) {
    if (topics.empty() || topics.back().name != tp.topic) topics.push_back({tp.topic, {}});
    PartitionOffset& out = topics.back().partitions.emplace_back();
    out.partition = tp.partition.value;
    if (commit != nullptr) {
      out.committed_offset = commit->offset.value;
      out.metadata = commit->metadata;
    }
    if (absl::StatusOr<storage::PartitionInfo> info = ctx.store.Offsets(tp.topic, tp.partition);
        info.ok()) {
      out.log_end_offset = info->log_end.value;
    }
    if (out.committed_offset >= 0 && out.log_end_offset >= 0) {
      out.lag = out.log_end_offset - out.committed_offset;
    }
  }
  return topics;
}

DescribeGroupsResponse::Group Describe(BrokerContext& ctx, const std::string& group_id) {
  DescribeGroupsResponse::Group out;
  out.group_id = group_id;
  if (absl::Status s = group::ValidateGroupId(group_id); !s.ok()) {
    out.error_code = CodeOf(s);
    return out;
  }
  absl::StatusOr<std::vector<storage::CommittedOffset>> commits =
      ctx.store.offsets().FetchAll(group_id);
  if (!commits.ok()) {
    out.error_code = CodeOf(commits.status());
    return out;
  }
  group::GroupView view = ctx.groups.Describe(group_id).value_or(group::GroupView{});
  if (view.members.empty() && commits->empty()) {
    out.error_code = ErrorCode::kGroupIdNotFound;
    return out;
  }
  out.state = std::string(group::StateName(view.state));
  out.assignor = view.assignor;
  out.generation_id = view.generation.value;
  for (const group::Member& member : view.members) {
    out.members.push_back({member.id, member.client_id, member.client_host, member.topics,
                           ToWire(member.assignment)});
  }
  out.offsets = OffsetsOf(ctx, view.members, *commits);
  return out;
}

}  // namespace

HandlerResult<DescribeGroupsResponse> HandleDescribeGroups(BrokerContext& ctx,
                                                           const DescribeGroupsRequest& request,
                                                           RequestScope&) {
  DescribeGroupsResponse response;
  for (const std::string& group_id : request.groups) {
    response.groups.push_back(Describe(ctx, group_id));
  }
  co_return response;
}

HandlerResult<ListGroupsResponse> HandleListGroups(BrokerContext& ctx, const ListGroupsRequest&,
                                                   RequestScope&) {
  absl::StatusOr<std::vector<std::string>> committed = ctx.store.offsets().Groups();
  if (!committed.ok()) co_return committed.status();
  std::map<std::string, ListGroupsResponse::Group> groups;
  for (const std::string& id : *committed) {
    groups[id] = {id, std::string(group::StateName(group::GroupState::kEmpty)), 0};
  }
  for (const group::GroupView& view : ctx.groups.ActiveGroups()) {
    groups[view.group_id] = {view.group_id, std::string(group::StateName(view.state)),
                             static_cast<int32_t>(view.members.size())};
  }
  ListGroupsResponse response;
  for (auto& [id, group] : groups) response.groups.push_back(std::move(group));
  co_return response;
}

HandlerResult<DeleteGroupsResponse> HandleDeleteGroups(BrokerContext& ctx,
                                                       const DeleteGroupsRequest& request,
                                                       RequestScope&) {
  DeleteGroupsResponse response;
  for (const std::string& group_id : request.groups) {
    absl::Status status = group::ValidateGroupId(group_id);
    if (status.ok()) status = ctx.groups.DeleteGroup(group_id);
    DeleteGroupsResponse::Result& result = response.results.emplace_back();
    result.group_id = group_id;
    result.error_code = CodeOf(status);
    if (!status.ok()) result.error_message = std::string(MessageOf(status));
  }
  co_return response;
}

}  // namespace brook
