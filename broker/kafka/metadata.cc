// Metadata: this one node as leader of every partition, the cluster id, and the topics asked
// for (all of them when the list is null, or empty at version 0), created on the fly when the
// client allows it and the listener auto-creates topics. DescribeCluster: this one node.
#include "broker/kafka/handlers.h"
#include "broker/kafka/topic_ids.h"

namespace brook::kafka_listener {
namespace {

kafka::MetadataResponse::Topic Describe(const KafkaContext& ctx, const storage::TopicInfo& info) {
  kafka::MetadataResponse::Topic topic;
  topic.name = info.name;
  topic.topic_id = TopicUuid(info);
  for (const storage::PartitionInfo& p : info.partitions) {
    kafka::MetadataResponse::Partition& out = topic.partitions.emplace_back();
    out.partition_index = p.partition.value;
    out.leader_id = ctx.node.node_id;
    out.leader_epoch = 0;
    out.replica_nodes = {ctx.node.node_id};
    out.isr_nodes = {ctx.node.node_id};
  }
  return topic;
}

kafka::MetadataResponse::Topic Missing(std::optional<std::string> name, const absl::Status& status) {
  kafka::MetadataResponse::Topic topic;
  topic.name = std::move(name);
  topic.error_code = CodeOf(status);
  return topic;
}

}  // namespace

KafkaResult<kafka::MetadataResponse> HandleMetadata(KafkaContext& ctx,
                                                    const kafka::MetadataRequest& request,
                                                    KafkaScope& scope) {
  kafka::MetadataResponse response;
  response.brokers.push_back({ctx.node.node_id, ctx.node.host, ctx.node.port, std::nullopt});
  response.cluster_id = ctx.node.cluster_id;
  response.controller_id = ctx.node.node_id;
  const bool all = !request.topics || (scope.version == 0 && request.topics->empty());
  if (all) {
    for (const storage::TopicInfo& info : ctx.broker.store.ListTopics()) {
      response.topics.push_back(Describe(ctx, info));
    }
    co_return response;
  }
  // Versions before 4 cannot say whether to create topics: Kafka creates them.
  const bool may_create = scope.version < 4 || request.allow_auto_topic_creation;
  std::vector<storage::TopicInfo> by_id;  // Listed once, for topics named by uuid.
  for (const kafka::MetadataRequest::Topic& wanted : *request.topics) {
    std::optional<std::string> name = wanted.name;
    if (!name) {
      if (by_id.empty()) by_id = ctx.broker.store.ListTopics();
      name = TopicNameOf(wanted.topic_id, by_id);
      if (!name) {
        kafka::MetadataResponse::Topic& unknown = response.topics.emplace_back();
        unknown.topic_id = wanted.topic_id;
        if (scope.version < 12) unknown.name = "";  // Nullable from version 12 only.
        unknown.error_code = ErrorCode::kUnknownTopicId;
        continue;
      }
    }
    absl::StatusOr<storage::TopicInfo> info = ctx.broker.store.DescribeTopic(*name);
    if (!info.ok() && may_create) {
      if (absl::Status created = AutoCreateTopic(ctx, *name); !created.ok()) {
        response.topics.push_back(Missing(name, created));
        continue;
      }
      info = ctx.broker.store.DescribeTopic(*name);
    }
    if (!info.ok()) {
      response.topics.push_back(Missing(name, info.status()));
      continue;
    }
    response.topics.push_back(Describe(ctx, *info));
  }
  co_return response;
}

KafkaResult<kafka::DescribeClusterResponse> HandleDescribeCluster(
    KafkaContext& ctx, const kafka::DescribeClusterRequest& request, KafkaScope&) {
  kafka::DescribeClusterResponse response;
  response.endpoint_type = request.endpoint_type;
  response.cluster_id = ctx.node.cluster_id;
  response.controller_id = ctx.node.node_id;
  response.brokers.push_back({ctx.node.node_id, ctx.node.host, ctx.node.port, std::nullopt});
  co_return response;
}

}  // namespace brook::kafka_listener
