// OffsetCommit and OffsetFetch: a group's committed offsets. Who may commit is the
// GroupCoordinator's decision, made atomically with the write.

#include "broker/handlers/handlers.h"

namespace brook {
namespace {

// Why one partition's commit is refused, or kNone.
ErrorCode CheckPartition(BrokerContext& ctx, const std::string& topic,
                         const OffsetCommitRequest::Partition& partition,
                         NegativeOffsets negative_offsets) {
  if (partition.offset < 0 && negative_offsets == NegativeOffsets::kRefuse) {
    return ErrorCode::kInvalidRequest;
  }
  if (partition.metadata && partition.metadata->size() > storage::kMaxCommitMetadataBytes) {
    return ErrorCode::kOffsetMetadataTooLarge;
  }
  return CodeOf(ctx.store.Offsets(topic, PartitionId(partition.partition)).status());
}

OffsetFetchResponse::Partition ResultOf(int32_t partition,
                                        const std::optional<storage::CommittedOffset>& commit) {
  OffsetFetchResponse::Partition result;
  result.partition = partition;
  if (commit) {
    result.committed_offset = commit->offset.value;
    result.metadata = commit->metadata;
  }
  return result;
}

}  // namespace

absl::StatusOr<OffsetCommitResponse> CommitOffsets(
    BrokerContext& ctx, const OffsetCommitRequest& request,
    std::optional<std::string_view> group_instance_id, NegativeOffsets negative_offsets) {
  if (absl::Status s = group::ValidateGroupId(request.group_id); !s.ok()) return s;
  OffsetCommitResponse response;
  std::vector<storage::CommittedOffset> commits;
  const int64_t now_ms = ctx.store.NowMs();
  for (const OffsetCommitRequest::Topic& topic : request.topics) {
    OffsetCommitResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const OffsetCommitRequest::Partition& partition : topic.partitions) {
      const ErrorCode code = CheckPartition(ctx, topic.name, partition, negative_offsets);
      out.partitions.push_back({partition.partition, code});
      if (code != ErrorCode::kNone) continue;
      commits.push_back({TopicPartition{topic.name, PartitionId(partition.partition)},
                         Offset(partition.offset), partition.metadata.value_or(""), now_ms});
    }
  }
  absl::Status status =
      ctx.groups.Commit(request.group_id, request.member_id, group_instance_id,
                        group::Generation(request.generation_id), commits);
  if (!status.ok()) return status;
  return response;
}

HandlerResult<OffsetCommitResponse> HandleOffsetCommit(BrokerContext& ctx,
                                                       const OffsetCommitRequest& request,
                                                       RequestScope&) {
  co_return CommitOffsets(ctx, request, std::nullopt, NegativeOffsets::kRefuse);
}

HandlerResult<OffsetFetchResponse> HandleOffsetFetch(BrokerContext& ctx,
                                                     const OffsetFetchRequest& request,
                                                     RequestScope&) {
  if (absl::Status s = group::ValidateGroupId(request.group_id); !s.ok()) co_return s;
  storage::OffsetStore& offsets = ctx.store.offsets();
  OffsetFetchResponse response;
  if (!request.topics) {
    absl::StatusOr<std::vector<storage::CommittedOffset>> all = offsets.FetchAll(request.group_id);
    if (!all.ok()) co_return all.status();
    for (const storage::CommittedOffset& commit : *all) {
      if (response.topics.empty() || response.topics.back().name != commit.partition.topic) {
        response.topics.push_back({commit.partition.topic, {}});
      }
      response.topics.back().partitions.push_back(ResultOf(commit.partition.partition.value, commit));
    }
    co_return response;
  }
  for (const TopicPartitions& topic : *request.topics) {
    OffsetFetchResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (int32_t partition : topic.partitions) {
      absl::StatusOr<std::optional<storage::CommittedOffset>> commit =
          offsets.Fetch(request.group_id, TopicPartition{topic.name, PartitionId(partition)});
      if (!commit.ok()) co_return commit.status();
      out.partitions.push_back(ResultOf(partition, *commit));
    }
  }
  co_return response;
}

}  // namespace brook
