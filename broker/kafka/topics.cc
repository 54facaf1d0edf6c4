// CreateTopics, DeleteTopics and CreatePartitions for Kafka clients, and the auto-creation of
// topics that Kafka clients name in Metadata and Produce. Creating, deleting and growing go
// through brook's own handlers, so groups rebalance and the log says so the same way for both
// protocols.
#include "broker/kafka/handlers.h"
#include "broker/kafka/topic_ids.h"
#include "broker/log.h"
#include "fmt/ranges.h"
#include "protocol/absl_compat.h"

namespace brook::kafka_listener {
namespace {

// The broker's configs of a created topic, as CreateTopics v5+ reports them.
std::vector<kafka::CreateTopicsResponse::Config> ConfigsOf(const storage::TopicInfo& info) {
  std::vector<kafka::CreateTopicsResponse::Config> configs;
  for (const auto& [key, value] : storage::ConfigEntries(info.config)) {
    const bool set = info.overrides.contains(key);
    configs.push_back({key, value, false,
                       static_cast<int8_t>(set ? kafka::ConfigSource::kTopic
                                               : kafka::ConfigSource::kDefault),
                       false});
  }
  return configs;
}

// Sets a per-topic answer's error and message from `status`.
template <class Out>
void SetError(Out& out, const absl::Status& status) {
  out.error_code = CodeOf(status);
  out.error_message = std::string(MessageOf(status));
}

// Copies brook's result for its topic `index` (or its request-level error) into a Kafka
// per-topic answer. Returns whether the topic succeeded.
template <class Out, class Native>
bool CopyResult(const absl::StatusOr<Native>& native, size_t index, Out& out) {
  if (!native.ok()) {
    SetError(out, native.status());
    return false;
  }
  out.error_code = native->topics[index].error_code;
  out.error_message = native->topics[index].error_message;
  return out.error_code == ErrorCode::kNone;
}

// Checks a manual replica assignment of partition `partition`: brook is one node. Errors:
// INVALID_REPLICA_ASSIGNMENT.
absl::Status CheckReplicas(const KafkaContext& ctx, int32_t partition,
                           const std::vector<int32_t>& broker_ids) {
  if (broker_ids == std::vector<int32_t>{ctx.node.node_id}) return absl::OkStatus();
  return MakeError(ErrorCode::kInvalidReplicaAssignment,
                   fmt::format("partition {} is assigned to brokers [{}]: brook is one node, "
                               "node {}, the only replica",
                               partition, fmt::join(broker_ids, ", "), ctx.node.node_id));
}

// Checks what brook cannot honour on one node. Errors: INVALID_REPLICATION_FACTOR,
// INVALID_REPLICA_ASSIGNMENT.
absl::Status CheckPlacement(const KafkaContext& ctx, const kafka::CreateTopicsRequest::Topic& t) {
  if (t.replication_factor != -1 && t.replication_factor != 1) {
    return MakeError(ErrorCode::kInvalidReplicationFactor,
                     fmt::format("replication factor {} is not possible: brook is one node "
                                 "(use 1 or -1)",
                                 t.replication_factor));
  }
  for (const auto& assignment : t.assignments) {
    if (absl::Status s = CheckReplicas(ctx, assignment.partition_index, assignment.broker_ids);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// Checks CreatePartitions' assignments: one per partition added, each naming this node only.
// Errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT.
absl::Status CheckNewPartitions(const KafkaContext& ctx,
                                const kafka::CreatePartitionsRequest::Topic& t) {
  if (!t.assignments) return absl::OkStatus();
  absl::StatusOr<storage::TopicInfo> info = ctx.broker.store.DescribeTopic(t.name);
  if (!info.ok()) return info.status();
  const auto current = static_cast<int32_t>(info->partitions.size());
  if (static_cast<int64_t>(t.assignments->size()) != int64_t{t.count} - current) {
    return MakeError(ErrorCode::kInvalidReplicaAssignment,
                     fmt::format("increasing the number of partitions of topic '{}' from {} to "
                                 "{} needs {} assignments, not {}",
                                 t.name, current, t.count, t.count - current,
                                 t.assignments->size()));
  }
  for (size_t i = 0; i < t.assignments->size(); ++i) {
    if (absl::Status s = CheckReplicas(ctx, current + static_cast<int32_t>(i),
                                       (*t.assignments)[i].broker_ids);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AutoCreateTopic(KafkaContext& ctx, std::string_view topic) {
  if (!ctx.config.auto_create_topics) {
    return MakeError(ErrorCode::kUnknownTopicOrPartition,
                     fmt::format("topic '{}' does not exist (auto-creation is off)", topic));
  }
  absl::Status status = ctx.broker.store.CreateTopic(topic, ctx.config.default_partitions, {});
  if (CodeOf(status) == ErrorCode::kTopicAlreadyExists) return absl::OkStatus();
  if (!status.ok()) return status;
  Log(LogLevel::kInfo, "topic auto-created", "topic", topic, "partitions",
      ctx.config.default_partitions);
  ctx.broker.groups.OnTopicChanged(topic);
  return absl::OkStatus();
}

KafkaResult<kafka::CreateTopicsResponse> HandleCreateTopics(
    KafkaContext& ctx, const kafka::CreateTopicsRequest& request, KafkaScope& scope) {
  kafka::CreateTopicsResponse response;
  CreateTopicsRequest native;  // The topics brook can create, for its own handler.
  native.validate_only = request.validate_only;
  std::vector<std::optional<size_t>> native_index;  // Per requested topic; none if refused.
  for (const kafka::CreateTopicsRequest::Topic& topic : request.topics) {
    kafka::CreateTopicsResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    if (absl::Status placement = CheckPlacement(ctx, topic); !placement.ok()) {
      SetError(out, placement);
      native_index.push_back(std::nullopt);
      continue;
    }
    native_index.push_back(native.topics.size());
    CreateTopicsRequest::Topic& created = native.topics.emplace_back();
    created.name = topic.name;
    created.num_partitions = topic.num_partitions != -1 ? topic.num_partitions
                             : topic.assignments.empty()
                                 ? ctx.config.default_partitions
                                 : static_cast<int32_t>(topic.assignments.size());
    for (const auto& config : topic.configs) {
      if (config.value) created.configs.push_back({config.name, *config.value});
    }
  }
  absl::StatusOr<CreateTopicsResponse> created =
      co_await brook::HandleCreateTopics(ctx.broker, native, scope.request);
  for (size_t i = 0; i < request.topics.size(); ++i) {
    if (!native_index[i]) continue;
    kafka::CreateTopicsResponse::Topic& out = response.topics[i];
    if (!CopyResult(created, *native_index[i], out)) continue;
    out.num_partitions = native.topics[*native_index[i]].num_partitions;
    out.replication_factor = 1;
    if (absl::StatusOr<storage::TopicInfo> info = ctx.broker.store.DescribeTopic(out.name);
        info.ok() && !request.validate_only) {
      out.topic_id = TopicUuid(*info);
      out.configs = ConfigsOf(*info);
    }
  }
  co_return response;
}

KafkaResult<kafka::DeleteTopicsResponse> HandleDeleteTopics(
    KafkaContext& ctx, const kafka::DeleteTopicsRequest& request, KafkaScope& scope) {
  kafka::DeleteTopicsResponse response;
  DeleteTopicsRequest native;
  std::vector<storage::TopicInfo> topics = ctx.broker.store.ListTopics();
  // Versions before 6 name topics; 6 names them or gives their ids.
  std::vector<kafka::DeleteTopicsRequest::Topic> wanted = request.topics;
  for (const std::string& name : request.topic_names) wanted.push_back({name, kafka::Uuid{}});
  std::vector<std::optional<size_t>> native_index;
  for (const kafka::DeleteTopicsRequest::Topic& topic : wanted) {
    std::optional<std::string> name = topic.name;
    if (!name) name = TopicNameOf(topic.topic_id, topics);
    if (!name) {
      native_index.push_back(std::nullopt);
      continue;
    }
    native_index.push_back(native.topics.size());
    native.topics.push_back(*name);
  }
  absl::StatusOr<DeleteTopicsResponse> deleted =
      co_await brook::HandleDeleteTopics(ctx.broker, native, scope.request);
  for (size_t i = 0; i < wanted.size(); ++i) {
    kafka::DeleteTopicsResponse::Result& out = response.responses.emplace_back();
    out.topic_id = wanted[i].topic_id;
    if (!native_index[i]) {
      out.error_code = ErrorCode::kUnknownTopicId;
      out.error_message = "no topic has this topic id";
      continue;
    }
    out.name = native.topics[*native_index[i]];
    if (deleted.ok()) {
      out.error_code = deleted->topics[*native_index[i]].error_code;
      out.error_message = deleted->topics[*native_index[i]].error_message;
    } else {
      out.error_code = CodeOf(deleted.status());
    }
  }
  co_return response;
}

KafkaResult<kafka::CreatePartitionsResponse> HandleCreatePartitions(
    KafkaContext& ctx, const kafka::CreatePartitionsRequest& request, KafkaScope& scope) {
  kafka::CreatePartitionsResponse response;
  CreatePartitionsRequest native;
  native.validate_only = request.validate_only;
  std::vector<std::optional<size_t>> native_index;  // Per requested topic; none if refused.
  for (const kafka::CreatePartitionsRequest::Topic& topic : request.topics) {
    kafka::CreatePartitionsResponse::Result& out = response.results.emplace_back();
    out.name = topic.name;
    if (absl::Status placement = CheckNewPartitions(ctx, topic); !placement.ok()) {
      SetError(out, placement);
      native_index.push_back(std::nullopt);
      continue;
    }
    native_index.push_back(native.topics.size());
    native.topics.push_back({topic.name, topic.count});
  }
  absl::StatusOr<CreatePartitionsResponse> grown =
      co_await brook::HandleCreatePartitions(ctx.broker, native, scope.request);
  for (size_t i = 0; i < request.topics.size(); ++i) {
    if (native_index[i]) CopyResult(grown, *native_index[i], response.results[i]);
  }
  co_return response;
}

}  // namespace brook::kafka_listener
