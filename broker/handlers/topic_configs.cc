// AlterConfigs: changes topics' config overrides at runtime, each topic all or nothing.
#include <algorithm>

#include "broker/handlers/handlers.h"
#include "broker/log.h"
#include "protocol/absl_compat.h"

namespace brook {
namespace {

// Splits a topic's entries into keys to set and keys to remove (null value) and applies them.
absl::Status Alter(storage::LogStore& store, const AlterConfigsRequest::Topic& topic,
                   bool validate_only) {
  storage::ConfigOverrides to_set;
  std::vector<std::string> to_remove;
  for (const AlterConfigsRequest::Config& config : topic.configs) {
    const bool seen = to_set.contains(config.name) ||
                      std::find(to_remove.begin(), to_remove.end(), config.name) != to_remove.end();
    if (seen) {
      return MakeError(ErrorCode::kInvalidConfig,
                       fmt::format("topic config '{}' is named more than once", config.name));
    }
    if (config.value) {
      to_set[config.name] = *config.value;
    } else {
      to_remove.push_back(config.name);
    }
  }
  return store.AlterTopicConfig(topic.name, to_set, to_remove, validate_only);
}

}  // namespace

HandlerResult<AlterConfigsResponse> HandleAlterConfigs(BrokerContext& ctx,
                                                       const AlterConfigsRequest& request,
                                                       RequestScope&) {
  AlterConfigsResponse response;
  for (const AlterConfigsRequest::Topic& topic : request.topics) {
    absl::Status status = Alter(ctx.store, topic, request.validate_only);
    if (status.ok() && !request.validate_only) {
      std::string keys;
      for (const AlterConfigsRequest::Config& config : topic.configs) {
        keys += fmt::format("{}{}={}", keys.empty() ? "" : ",", config.name,
                            config.value.value_or("(default)"));
      }
      Log(LogLevel::kInfo, "topic config altered", "topic", topic.name, "configs", keys);
    }
    response.topics.push_back(TopicResultOf(topic.name, status));
  }
  co_return response;
}

}  // namespace brook
