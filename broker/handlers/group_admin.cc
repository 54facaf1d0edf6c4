// DescribeGroups, ListGroups, DeleteGroups and OffsetDelete: what tools see and change of
// consumer groups of both kinds (membership from the GroupCoordinator, commits from the
// OffsetStore, log ends from the LogStore). Kafka groups' members show the topics and
// partitions their "consumer" protocol bytes name.
#include <algorithm>
#include <map>

#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_partitions.h"
#include "protocol/absl_compat.h"
#include "protocol/consumer_protocol.h"

namespace brook {
namespace {

using PartitionOffset = DescribeGroupsResponse::PartitionOffset;
using GroupMember = DescribeGroupsResponse::Member;

// A Kafka member: its subscription and assignment decoded when the group's protocol type is
// "consumer" (other protocol types, and bytes that do not decode, show none).
GroupMember KafkaMember(const group::GroupView& view, const group::ClassicMemberView& member) {
  GroupMember out{member.member_id, member.client_id, member.client_host, {}, {}};
  if (view.protocol_type != kConsumerProtocolType) return out;
  if (absl::StatusOr<ConsumerSubscription> subscription =
          DecodeConsumerSubscription(member.metadata);
      subscription.ok()) {
    out.topics = std::move(subscription->topics);
  }
  if (absl::StatusOr<ConsumerAssignment> assignment = DecodeConsumerAssignment(member.assignment);
      assignment.ok()) {
    std::vector<TopicPartition> partitions = FromWire(assignment->partitions);
    std::sort(partitions.begin(), partitions.end());
    out.assignment = ToWire(partitions);
  }
  return out;
}

std::vector<GroupMember> MembersOf(const group::GroupView& view) {
  std::vector<GroupMember> members;
  for (const group::Member& member : view.members) {
    members.push_back({member.id, member.client_id, member.client_host, member.topics,
                       ToWire(member.assignment)});
  }
  for (const group::ClassicMemberView& member : view.classic_members) {
    members.push_back(KafkaMember(view, member));
  }
  return members;
}

// Every partition the group has a commit for or has assigned, by topic then partition.
std::vector<TopicOf<PartitionOffset>> OffsetsOf(BrokerContext& ctx,
                                                const std::vector<GroupMember>& members,
                                                const std::vector<storage::CommittedOffset>& commits) {
  std::map<TopicPartition, const storage::CommittedOffset*> partitions;
  for (const storage::CommittedOffset& commit : commits) partitions[commit.partition] = &commit;
  for (const GroupMember& member : members) {
    for (const TopicPartition& tp : FromWire(member.assignment)) {
      partitions.try_emplace(tp, nullptr);
    }
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
      // Never negative: a commit past the log end (e.g. records deleted since) is no lag.
      out.lag = std::max<int64_t>(0, out.log_end_offset - out.committed_offset);
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
  if (view.member_count() == 0 && commits->empty()) {
    out.error_code = ErrorCode::kGroupIdNotFound;
    return out;
  }
  out.state = std::string(group::StateName(view.state));
  out.assignor = view.assignor;
  out.generation_id = view.generation.value;
  out.members = MembersOf(view);
  out.offsets = OffsetsOf(ctx, out.members, *commits);
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
                             static_cast<int32_t>(view.member_count())};
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

HandlerResult<OffsetDeleteResponse> HandleOffsetDelete(BrokerContext& ctx,
                                                       const OffsetDeleteRequest& request,
                                                       RequestScope&) {
  if (absl::Status s = group::ValidateGroupId(request.group_id); !s.ok()) co_return s;
  // As Kafka: partitions that do not exist are answered here, the others by the coordinator.
  const std::vector<TopicPartition> partitions = FromWire(request.topics);
  std::vector<absl::Status> results(partitions.size());
  std::vector<TopicPartition> existing;
  for (size_t i = 0; i < partitions.size(); ++i) {
    results[i] = ctx.store.Offsets(partitions[i].topic, partitions[i].partition).status();
    if (results[i].ok()) existing.push_back(partitions[i]);
  }
  absl::StatusOr<std::vector<absl::Status>> deleted =
      ctx.groups.DeleteOffsets(request.group_id, existing);
  if (!deleted.ok()) co_return deleted.status();
  auto next = deleted->begin();
  for (absl::Status& result : results) {
    if (result.ok()) result = *next++;
  }
  OffsetDeleteResponse response;
  size_t i = 0;
  for (const TopicPartitions& topic : request.topics) {
    OffsetDeleteResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (int32_t partition : topic.partitions) {
      const absl::Status& result = results[i++];
      out.partitions.push_back({partition, CodeOf(result),
                                result.ok() ? std::nullopt
                                            : std::optional<std::string>(MessageOf(result))});
    }
  }
  co_return response;
}

}  // namespace brook
