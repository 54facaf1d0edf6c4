#include "client/admin.h"

#include <algorithm>

#include "client/admin_impl.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"

namespace brook {
namespace {

// The outcome of one topic in a CreateTopics/DeleteTopics response.
absl::Status TopicOutcome(const std::vector<TopicResult>& results, std::string_view name,
                          std::string_view api) {
  for (const TopicResult& r : results) {
    if (r.name != name) continue;
    if (r.error_code == ErrorCode::kNone) return absl::OkStatus();
    return MakeError(r.error_code, r.error_message ? *r.error_message
                                                   : fmt::format("topic '{}': {}", name,
                                                                 ErrorDescription(r.error_code)));
  }
  return MakeError(ErrorCode::kUnknownServerError,
                   fmt::format("the {} response has no result for topic '{}'", api, name));
}

TopicDescription Describe(const MetadataResponse::Topic& topic) {
  TopicDescription out;
  out.name = topic.name;
  for (const auto& p : topic.partitions) {
    out.partitions.push_back({p.partition, p.log_start_offset, p.log_end_offset});
  }
  std::sort(out.partitions.begin(), out.partitions.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  for (const ConfigEntry& c : topic.configs) out.configs[c.name] = c.value;
  return out;
}

absl::Status TopicError(const MetadataResponse::Topic& topic) {
  if (topic.error_code == ErrorCode::kNone) return absl::OkStatus();
  if (topic.error_code == ErrorCode::kUnknownTopicOrPartition) {
    return MakeError(topic.error_code, fmt::format("topic '{}' does not exist", topic.name));
  }
  return MakeError(topic.error_code,
                   fmt::format("topic '{}': {}", topic.name, ErrorDescription(topic.error_code)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Admin>> Admin::Create(AdminOptions options) {
  if (options.request_timeout.count() <= 0) {
    return MakeError(ErrorCode::kInvalidRequest, "AdminOptions.request_timeout must be positive");
  }
  if (options.compact_timeout.count() <= 0) {
    return MakeError(ErrorCode::kInvalidRequest, "AdminOptions.compact_timeout must be positive");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  absl::Status status = impl->Connect();
  if (!status.ok()) return status;
  return std::unique_ptr<Admin>(new Admin(std::move(impl)));
}

Admin::Admin(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Admin::~Admin() { impl_->Close(); }
void Admin::Close() { impl_->Close(); }

absl::Status Admin::CreateTopic(const NewTopic& topic, bool validate_only) {
  CreateTopicsRequest request;
  CreateTopicsRequest::Topic& t = request.topics.emplace_back();
  t.name = topic.name;
  t.num_partitions = topic.partitions;
  for (const auto& [name, value] : topic.configs) t.configs.push_back({name, value});
  request.validate_only = validate_only;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  return TopicOutcome(reply->message.topics, topic.name, "CreateTopics");
}

absl::Status Admin::DeleteTopic(std::string_view name) {
  DeleteTopicsRequest request;
  request.topics.emplace_back(name);
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  return TopicOutcome(reply->message.topics, name, "DeleteTopics");
}

absl::Status Admin::CreatePartitions(std::string_view topic, int32_t partitions,
                                     bool validate_only) {
  CreatePartitionsRequest request;
  request.topics.push_back({std::string(topic), partitions});
  request.validate_only = validate_only;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  return TopicOutcome(reply->message.topics, topic, "CreatePartitions");
}

absl::StatusOr<int64_t> Admin::DeleteRecords(const TopicPartition& partition, int64_t offset) {
  DeleteRecordsRequest request;
  request.topics.push_back({partition.topic, {{partition.partition.value, offset}}});
  // The broker gives up first, answering REQUEST_TIMED_OUT, rather than the connection.
  const std::chrono::milliseconds timeout = impl_->options().request_timeout;
  request.timeout_ms = static_cast<int32_t>(std::min<int64_t>(timeout.count(), INT32_MAX));
  auto reply = impl_->Call(request, timeout + std::chrono::seconds(5));
  if (!reply.ok()) return reply.status();
  for (const auto& t : reply->message.topics) {
    for (const auto& p : t.partitions) {
      if (t.name != partition.topic || p.partition != partition.partition.value) continue;
      if (p.error_code == ErrorCode::kNone) return p.low_watermark;
      return MakeError(p.error_code,
                       p.error_message.value_or(fmt::format("{}-{}: {}", t.name, p.partition,
                                                            ErrorDescription(p.error_code))));
    }
  }
  return MakeError(ErrorCode::kUnknownServerError,
                   fmt::format("the DeleteRecords response has no result for {}-{}",
                               partition.topic, partition.partition.value));
}

absl::StatusOr<std::vector<std::string>> Admin::ListTopics() {
  auto reply = impl_->Call(MetadataRequest{});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> names;
  for (const auto& topic : reply->message.topics) {
    if (topic.error_code == ErrorCode::kNone) names.push_back(topic.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<TopicDescription> Admin::DescribeTopic(std::string_view name) {
  MetadataRequest request;
  request.topics = std::vector<std::string>{std::string(name)};
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  for (const auto& topic : reply->message.topics) {
    if (topic.name != name) continue;
    absl::Status status = TopicError(topic);
    if (!status.ok()) return status;
    return Describe(topic);
  }
  return MakeError(ErrorCode::kUnknownTopicOrPartition,
                   fmt::format("topic '{}' does not exist", name));
}

absl::StatusOr<std::vector<TopicDescription>> Admin::DescribeTopics() {
  auto reply = impl_->Call(MetadataRequest{});
  if (!reply.ok()) return reply.status();
  std::vector<TopicDescription> out;
  for (const auto& topic : reply->message.topics) {
    if (topic.error_code == ErrorCode::kNone) out.push_back(Describe(topic));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

absl::StatusOr<OffsetAndTimestamp> Admin::ListOffsets(const TopicPartition& partition,
                                                      int64_t timestamp_ms) {
  ListOffsetsRequest request;
  request.topics.push_back({partition.topic, {{partition.partition.value, timestamp_ms}}});
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  for (const auto& t : reply->message.topics) {
    if (t.name != partition.topic) continue;
    for (const auto& p : t.partitions) {
      if (p.partition != partition.partition.value) continue;
      if (p.error_code == ErrorCode::kUnknownTopicOrPartition) {
        return MakeError(p.error_code, fmt::format("{}-{} does not exist", partition.topic,
                                                   partition.partition.value));
      }
      if (p.error_code != ErrorCode::kNone) {
        return MakeError(p.error_code,
                         fmt::format("{}-{}: {}", partition.topic, partition.partition.value,
                                     ErrorDescription(p.error_code)));
      }
      return OffsetAndTimestamp{p.offset, p.timestamp};
    }
  }
  return MakeError(ErrorCode::kUnknownServerError,
                   fmt::format("the ListOffsets response has no result for {}-{}", partition.topic,
                               partition.partition.value));
}

absl::Status Admin::AlterTopicConfigs(std::string_view name,
                                      const std::map<std::string, std::string>& set,
                                      const std::vector<std::string>& remove, bool validate_only) {
  AlterConfigsRequest request;
  AlterConfigsRequest::Topic& t = request.topics.emplace_back();
  t.name = name;
  for (const auto& [key, value] : set) t.configs.push_back({key, value});
  for (const std::string& key : remove) t.configs.push_back({key, std::nullopt});
  request.validate_only = validate_only;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  return TopicOutcome(reply->message.topics, name, "AlterConfigs");
}

absl::StatusOr<std::vector<PartitionCompactionStats>> Admin::CompactTopic(
    std::string_view name) {
  CompactTopicRequest request;
  request.topic = name;
  const AdminOptions& options = impl_->options();
  auto reply = impl_->Call(request, std::max(options.compact_timeout, options.request_timeout));
  if (!reply.ok()) return reply.status();
  std::vector<PartitionCompactionStats> out;
  ErrorCode first_error = ErrorCode::kNone;
  std::string failures;
  for (const CompactTopicResponse::Partition& p : reply->message.partitions) {
    if (p.error_code != ErrorCode::kNone) {
      if (first_error == ErrorCode::kNone) first_error = p.error_code;
      failures += fmt::format("{}compacting {}-{}: {}", failures.empty() ? "" : "; ", name,
                              p.partition,
                              p.error_message ? *p.error_message : ErrorDescription(p.error_code));
      continue;
    }
    out.push_back({p.partition, p.bytes_read, p.bytes_written, p.records_removed,
                   p.tombstones_removed, p.cleaned_up_to, p.duration_ms});
  }
  if (first_error != ErrorCode::kNone) return MakeError(first_error, failures);
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return out;
}

absl::StatusOr<BrokerVersions> Admin::ApiVersions() {
  auto reply = impl_->Call(ApiVersionsRequest{});
  if (!reply.ok()) return reply.status();
  BrokerVersions out;
  out.broker_version = reply->message.broker_version;
  for (const auto& r : reply->message.api_keys) {
    out.apis.push_back({r.api_key, r.min_version, r.max_version});
  }
  return out;
}

}  // namespace brook
