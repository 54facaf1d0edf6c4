// Metadata: topics with their partitions' log-start/end offsets and resolved configs.
#include "broker/handlers/handlers.h"

namespace brook {
namespace {

MetadataResponse::Topic Describe(const storage::TopicInfo& info) {
  MetadataResponse::Topic topic;
  topic.name = info.name;
  for (const storage::PartitionInfo& p : info.partitions) {
    topic.partitions.push_back(
        MetadataResponse::Partition{p.partition.value, ErrorCode::kNone, p.log_start.value,
                                    p.log_end.value});
  }
  for (const auto& [key, value] : storage::ConfigEntries(info.config)) {
    topic.configs.push_back(ConfigEntry{key, value});
  }
  return topic;
}

}  // namespace

HandlerResult<MetadataResponse> HandleMetadata(BrokerContext& ctx, const MetadataRequest& request,
                                               RequestScope&) {
  MetadataResponse response;
  if (!request.topics) {
    for (const storage::TopicInfo& info : ctx.store.ListTopics()) {
      response.topics.push_back(Describe(info));
    }
    co_return response;
  }
  for (const std::string& name : *request.topics) {
    absl::StatusOr<storage::TopicInfo> info = ctx.store.DescribeTopic(name);
    if (!info.ok()) {
      MetadataResponse::Topic& missing = response.topics.emplace_back();
      missing.name = name;
      missing.error_code = CodeOf(info.status());
      continue;
    }
    response.topics.push_back(Describe(*info));
  }
  co_return response;
}

}  // namespace brook
