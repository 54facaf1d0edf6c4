// OffsetCommit, OffsetFetch, DeleteGroups and OffsetDelete for Kafka clients, through brook's
// own handlers:
// the same checks of who may commit (the group coordinator's, atomic with the write), the same
// offset store, so `brook group describe` shows what Kafka consumers commit and the other way
// round. A group-level error is reported on every partition, as Kafka does. As in Kafka, any
// offset may be committed, negative ones too (kafkajs' resetOffsets commits -2 for
// "earliest"); OffsetFetch returns them as they are.
#include "broker/kafka/handlers.h"

namespace brook::kafka_listener {
namespace {

// The answer to one group of an OffsetFetch (topics null: every partition it committed).
KafkaResult<kafka::OffsetFetchResponse::Group> FetchGroup(
    KafkaContext& ctx, const std::string& group_id,
    const std::optional<std::vector<kafka::OffsetFetchRequest::Topic>>& topics,
    KafkaScope& scope) {
  OffsetFetchRequest native;
  native.group_id = group_id;
  if (topics) {
    native.topics.emplace();
    for (const auto& topic : *topics) native.topics->push_back({topic.name, topic.partitions});
  }
  absl::StatusOr<OffsetFetchResponse> fetched =
      co_await brook::HandleOffsetFetch(ctx.broker, native, scope.request);
  kafka::OffsetFetchResponse::Group out;
  out.group_id = group_id;
  if (!fetched.ok()) {
    out.error_code = CodeOf(fetched.status());
    co_return out;
  }
  for (const OffsetFetchResponse::Topic& topic : fetched->topics) {
    kafka::OffsetFetchResponse::Topic& t = out.topics.emplace_back();
    t.name = topic.name;
    for (const OffsetFetchResponse::Partition& p : topic.partitions) {
      kafka::OffsetFetchResponse::Partition& result = t.partitions.emplace_back();
      result.partition_index = p.partition;
      result.committed_offset = p.committed_offset;
      result.metadata = p.metadata.value_or("");
      result.error_code = p.error_code;
    }
  }
  co_return out;
}

}  // namespace

KafkaResult<kafka::OffsetCommitResponse> HandleOffsetCommit(
    KafkaContext& ctx, const kafka::OffsetCommitRequest& request, KafkaScope&) {
  OffsetCommitRequest native;
  native.group_id = request.group_id;
  native.generation_id = request.generation_id;
  native.member_id = request.member_id;
  for (const kafka::OffsetCommitRequest::Topic& topic : request.topics) {
    OffsetCommitRequest::Topic& out = native.topics.emplace_back();
    out.name = topic.name;
    for (const auto& p : topic.partitions) {
      out.partitions.push_back({p.partition_index, p.committed_offset, p.committed_metadata});
    }
  }
  absl::StatusOr<OffsetCommitResponse> committed =
      CommitOffsets(ctx.broker, native, request.group_instance_id, NegativeOffsets::kStore);
  kafka::OffsetCommitResponse response;
  for (size_t t = 0; t < request.topics.size(); ++t) {
    kafka::OffsetCommitResponse::Topic& out = response.topics.emplace_back();
    out.name = request.topics[t].name;
    for (size_t p = 0; p < request.topics[t].partitions.size(); ++p) {
      out.partitions.push_back(
          {request.topics[t].partitions[p].partition_index,
           committed.ok() ? committed->topics[t].partitions[p].error_code
                          : CodeOf(committed.status())});
    }
  }
  co_return response;
}

KafkaResult<kafka::OffsetFetchResponse> HandleOffsetFetch(
    KafkaContext& ctx, const kafka::OffsetFetchRequest& request, KafkaScope& scope) {
  kafka::OffsetFetchResponse response;
  if (scope.version >= 8) {
    for (const kafka::OffsetFetchRequest::Group& group : request.groups) {
      response.groups.push_back(co_await FetchGroup(ctx, group.group_id, group.topics, scope));
    }
    co_return response;
  }
  kafka::OffsetFetchResponse::Group one =
      co_await FetchGroup(ctx, request.group_id, request.topics, scope);
  response.topics = std::move(one.topics);
  response.error_code = one.error_code;
  if (scope.version < 2) {
    // Versions 0-1 have no group-level error: each partition carries it.
    for (auto& topic : response.topics) {
      for (auto& partition : topic.partitions) {
        if (partition.error_code == ErrorCode::kNone) partition.error_code = one.error_code;
      }
    }
  }
  co_return response;
}

KafkaResult<kafka::DeleteGroupsResponse> HandleDeleteGroups(
    KafkaContext& ctx, const kafka::DeleteGroupsRequest& request, KafkaScope& scope) {
  DeleteGroupsRequest native;
  native.groups = request.groups_names;
  absl::StatusOr<DeleteGroupsResponse> deleted =
      co_await brook::HandleDeleteGroups(ctx.broker, native, scope.request);
  kafka::DeleteGroupsResponse response;
  for (size_t i = 0; i < request.groups_names.size(); ++i) {
    response.results.push_back(
        {request.groups_names[i],
         deleted.ok() ? deleted->results[i].error_code : CodeOf(deleted.status())});
  }
  co_return response;
}

KafkaResult<kafka::OffsetDeleteResponse> HandleOffsetDelete(
    KafkaContext& ctx, const kafka::OffsetDeleteRequest& request, KafkaScope& scope) {
  OffsetDeleteRequest native;
  native.group_id = request.group_id;
  for (const auto& topic : request.topics) native.topics.push_back({topic.name, topic.partitions});
  absl::StatusOr<OffsetDeleteResponse> deleted =
      co_await brook::HandleOffsetDelete(ctx.broker, native, scope.request);
  kafka::OffsetDeleteResponse response;
  if (!deleted.ok()) {  // A group-level error: Kafka answers it alone.
    response.error_code = KafkaCodeOf(deleted.status());
    co_return response;
  }
  for (const OffsetDeleteResponse::Topic& topic : deleted->topics) {
    kafka::OffsetDeleteResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const OffsetDeleteResponse::Partition& p : topic.partitions) {
      out.partitions.push_back({p.partition, p.error_code});
    }
  }
  co_return response;
}

}  // namespace brook::kafka_listener
