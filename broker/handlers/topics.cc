// CreateTopics, DeleteTopics and CreatePartitions: per-topic results, one topic's failure does
// not stop others. Consumer groups subscribed to a created, deleted or grown topic rebalance.
#include <map>
#include <set>

#include "broker/handlers/handlers.h"
#include "broker/log.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook {

TopicResult TopicResultOf(const std::string& name, const absl::Status& status) {
  TopicResult result{name, CodeOf(status), std::nullopt};
  if (!status.ok()) result.error_message = std::string(MessageOf(status));
  return result;
}

HandlerResult<CreateTopicsResponse> HandleCreateTopics(BrokerContext& ctx,
                                                       const CreateTopicsRequest& request,
                                                       RequestScope&) {
  CreateTopicsResponse response;
  // With validate_only nothing is created, so a name given again in the request is caught
  // here, answered as a real create would answer it.
  std::set<std::string, std::less<>> validated;
  for (const CreateTopicsRequest::Topic& topic : request.topics) {
    storage::ConfigOverrides overrides;
    for (const ConfigEntry& entry : topic.configs) overrides[entry.name] = entry.value;
    absl::Status status =
        request.validate_only && validated.contains(topic.name)
            ? MakeError(ErrorCode::kTopicAlreadyExists,
                        fmt::format("topic '{}' already exists", topic.name))
            : ctx.store.CreateTopic(topic.name, topic.num_partitions, overrides,
                                    request.validate_only);
    if (status.ok() && request.validate_only) validated.insert(topic.name);
    if (status.ok() && !request.validate_only) {
      Log(LogLevel::kInfo, "topic created", "topic", topic.name, "partitions",
          topic.num_partitions);
      ctx.groups.OnTopicChanged(topic.name);
    }
    response.topics.push_back(TopicResultOf(topic.name, status));
  }
  co_return response;
}

HandlerResult<DeleteTopicsResponse> HandleDeleteTopics(BrokerContext& ctx,
                                                       const DeleteTopicsRequest& request,
                                                       RequestScope&) {
  DeleteTopicsResponse response;
  for (const std::string& name : request.topics) {
    absl::Status status = ctx.store.DeleteTopic(name);
    if (status.ok()) {
      Log(LogLevel::kInfo, "topic deleted", "topic", name);
      ctx.groups.OnTopicChanged(name);
    }
    response.topics.push_back(TopicResultOf(name, status));
  }
  co_return response;
}

HandlerResult<CreatePartitionsResponse> HandleCreatePartitions(
    BrokerContext& ctx, const CreatePartitionsRequest& request, RequestScope&) {
  std::map<std::string_view, int> named;  // As Kafka: a topic named twice is refused.
  for (const CreatePartitionsRequest::Topic& topic : request.topics) ++named[topic.name];
  CreatePartitionsResponse response;
  for (const CreatePartitionsRequest::Topic& topic : request.topics) {
    absl::Status status =
        named[topic.name] > 1
            ? MakeError(ErrorCode::kInvalidRequest,
                        fmt::format("topic '{}' is named more than once", topic.name))
            : ctx.store.CreatePartitions(topic.name, topic.count, request.validate_only);
    if (status.ok() && !request.validate_only) {
      Log(LogLevel::kInfo, "partitions added", "topic", topic.name, "partitions", topic.count);
      ctx.groups.OnTopicChanged(topic.name);
    }
    response.topics.push_back(TopicResultOf(topic.name, status));
  }
  co_return response;
}

}  // namespace brook
