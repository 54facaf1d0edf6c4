// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for Kafka clients. Topics list every
// brook topic setting (docs/topics.md) with its value and where it comes from: the topic
// itself, the broker's --topic-default, or the built-in default (and, when asked, every level
// that sets it: Kafka's synonyms). The broker resource shows the broker's Kafka-visible
// settings, which are fixed at startup (altering them is refused).
#include <algorithm>

#include "broker/kafka/handlers.h"
#include "broker/log.h"
#include "protocol/absl_compat.h"

namespace brook::kafka_listener {
namespace {

using Config = kafka::DescribeConfigsResponse::Config;
using Synonym = kafka::DescribeConfigsResponse::Synonym;

kafka::ConfigType TypeOf(std::string_view key) {
  if (key == "cleanup.policy") return kafka::ConfigType::kList;
  if (key == "min.cleanable.dirty.ratio") return kafka::ConfigType::kDouble;
  if (key == "max.message.bytes") return kafka::ConfigType::kInt;
  if (key == "dlq.topic") return kafka::ConfigType::kString;
  return kafka::ConfigType::kLong;
}

Config Entry(std::string name, std::string value, kafka::ConfigSource source, bool read_only,
             kafka::ConfigType type) {
  Config config;
  config.name = std::move(name);
  config.value = std::move(value);
  config.read_only = read_only;
  config.config_source = static_cast<int8_t>(source);
  config.is_default = source == kafka::ConfigSource::kDefault;
  config.config_type = static_cast<int8_t>(type);
  return config;
}

// A topic setting's synonyms (DescribeConfigs v1+ with include_synonyms): every level that
// sets it, strongest first, as Kafka lists them: the topic's own value, the broker's
// --topic-default where it differs from the built-in default, and the built-in default.
// brook's broker-level defaults have the topic settings' names.
std::vector<Synonym> TopicSynonyms(const std::string& key, const std::string& value,
                                   kafka::ConfigSource source, const std::string& broker_value,
                                   const std::string& builtin_value) {
  std::vector<Synonym> synonyms;
  if (source == kafka::ConfigSource::kTopic) {
    synonyms.push_back({key, value, static_cast<int8_t>(kafka::ConfigSource::kTopic)});
  }
  if (broker_value != builtin_value) {
    synonyms.push_back({key, broker_value, static_cast<int8_t>(kafka::ConfigSource::kStaticBroker)});
  }
  synonyms.push_back({key, builtin_value, static_cast<int8_t>(kafka::ConfigSource::kDefault)});
  return synonyms;
}

bool Wanted(const kafka::DescribeConfigsRequest::Resource& resource, std::string_view key) {
  if (!resource.configuration_keys) return true;
  for (const std::string& k : *resource.configuration_keys) {
    if (k == key) return true;
  }
  return false;
}

void DescribeTopic(KafkaContext& ctx, const kafka::DescribeConfigsRequest::Resource& resource,
                   bool include_synonyms, kafka::DescribeConfigsResponse::Result* result) {
  absl::StatusOr<storage::TopicInfo> info = ctx.broker.store.DescribeTopic(resource.resource_name);
  if (!info.ok()) {
    result->error_code = CodeOf(info.status());
    result->error_message = std::string(MessageOf(info.status()));
    return;
  }
  const storage::ConfigOverrides builtin = storage::ConfigEntries(storage::TopicConfig{});
  const storage::ConfigOverrides broker = storage::ConfigEntries(ctx.broker.store.options().topic_defaults);
  for (const auto& [key, value] : storage::ConfigEntries(info->config)) {
    if (!Wanted(resource, key)) continue;
    kafka::ConfigSource source = kafka::ConfigSource::kDefault;
    if (info->overrides.contains(key)) {
      source = kafka::ConfigSource::kTopic;
    } else if (broker.at(key) != builtin.at(key)) {
      source = kafka::ConfigSource::kStaticBroker;
    }
    Config& entry = result->configs.emplace_back(Entry(key, value, source, false, TypeOf(key)));
    if (include_synonyms) {
      entry.synonyms = TopicSynonyms(key, value, source, broker.at(key), builtin.at(key));
    }
  }
}

void DescribeBroker(KafkaContext& ctx, const kafka::DescribeConfigsRequest::Resource& resource,
                    bool include_synonyms, kafka::DescribeConfigsResponse::Result* result) {
  if (resource.resource_name != std::to_string(ctx.node.node_id) &&
      !resource.resource_name.empty()) {
    result->error_code = ErrorCode::kInvalidRequest;
    result->error_message = fmt::format("this broker is node {}", ctx.node.node_id);
    return;
  }
  const storage::TopicConfig& defaults = ctx.broker.store.options().topic_defaults;
  const auto add = [&](std::string name, std::string value, kafka::ConfigType type) {
    if (!Wanted(resource, name)) return;
    Config& entry = result->configs.emplace_back(
        Entry(name, value, kafka::ConfigSource::kStaticBroker, true, type));
    if (include_synonyms) {
      entry.synonyms.push_back(
          {std::move(name), std::move(value), static_cast<int8_t>(kafka::ConfigSource::kStaticBroker)});
    }
  };
  add("auto.create.topics.enable", ctx.config.auto_create_topics ? "true" : "false",
      kafka::ConfigType::kBoolean);
  add("num.partitions", std::to_string(ctx.config.default_partitions), kafka::ConfigType::kInt);
  add("default.replication.factor", "1", kafka::ConfigType::kShort);
  add("offsets.topic.replication.factor", "1", kafka::ConfigType::kShort);
  add("min.insync.replicas", "1", kafka::ConfigType::kInt);
  add("message.max.bytes", std::to_string(defaults.max_message_bytes), kafka::ConfigType::kInt);
  add("log.retention.ms", std::to_string(defaults.retention_ms), kafka::ConfigType::kLong);
  add("log.retention.bytes", std::to_string(defaults.retention_bytes), kafka::ConfigType::kLong);
  add("log.segment.bytes", std::to_string(defaults.segment_bytes), kafka::ConfigType::kLong);
  add("group.initial.rebalance.delay.ms",
      std::to_string(ctx.broker.config.group_initial_rebalance_delay.count()),
      kafka::ConfigType::kInt);
  add("group.min.session.timeout.ms",
      std::to_string(ctx.broker.config.group_min_session_timeout.count()), kafka::ConfigType::kInt);
  add("group.max.session.timeout.ms",
      std::to_string(ctx.broker.config.group_max_session_timeout.count()), kafka::ConfigType::kInt);
}

kafka::AlterConfigsResourceResponse Answer(int8_t type, const std::string& name,
                                           const absl::Status& status) {
  kafka::AlterConfigsResourceResponse out;
  out.resource_type = type;
  out.resource_name = name;
  out.error_code = CodeOf(status);
  if (!status.ok()) out.error_message = std::string(MessageOf(status));
  return out;
}

// Only topics' settings change at run time.
absl::Status CheckAlterable(int8_t resource_type) {
  if (resource_type == kafka::kResourceTopic) return absl::OkStatus();
  return MakeError(ErrorCode::kInvalidRequest,
                   "only topic configs can be altered; the broker's settings are set when "
                   "`brook serve` starts");
}

// Applies an alteration and logs it.
absl::Status Alter(KafkaContext& ctx, const std::string& topic,
                   const storage::ConfigOverrides& to_set, const std::vector<std::string>& to_remove,
                   bool validate_only) {
  absl::Status status =
      ctx.broker.store.AlterTopicConfig(topic, to_set, to_remove, validate_only);
  if (status.ok() && !validate_only) Log(LogLevel::kInfo, "topic configs altered", "topic", topic);
  return status;
}

// cleanup.policy is Kafka's one list-valued topic setting: APPEND and SUBTRACT edit it.
std::string EditList(const std::string& current, int8_t op,
                                     const std::string& item) {
  std::vector<std::string> items;
  for (size_t start = 0; start <= current.size();) {
    size_t comma = current.find(',', start);
    if (comma == std::string::npos) comma = current.size();
    if (comma > start) items.push_back(current.substr(start, comma - start));
    start = comma + 1;
  }
  std::erase(items, item);
  if (op == kafka::kConfigAppend) items.push_back(item);
  std::sort(items.begin(), items.end());  // brook spells the pair "compact,delete".
  std::string joined;
  for (const std::string& i : items) joined += (joined.empty() ? "" : ",") + i;
  return joined;
}

}  // namespace

KafkaResult<kafka::DescribeConfigsResponse> HandleDescribeConfigs(
    KafkaContext& ctx, const kafka::DescribeConfigsRequest& request, KafkaScope&) {
  kafka::DescribeConfigsResponse response;
  for (const kafka::DescribeConfigsRequest::Resource& resource : request.resources) {
    kafka::DescribeConfigsResponse::Result& result = response.results.emplace_back();
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    if (resource.resource_type == kafka::kResourceTopic) {
      DescribeTopic(ctx, resource, request.include_synonyms, &result);
    } else if (resource.resource_type == kafka::kResourceBroker) {
      DescribeBroker(ctx, resource, request.include_synonyms, &result);
    } else {
      result.error_code = ErrorCode::kInvalidRequest;
      result.error_message = fmt::format("resource type {} has no configs in brook",
                                         resource.resource_type);
    }
  }
  co_return response;
}

KafkaResult<kafka::AlterConfigsResponse> HandleAlterConfigs(
    KafkaContext& ctx, const kafka::AlterConfigsRequest& request, KafkaScope&) {
  kafka::AlterConfigsResponse response;
  for (const kafka::AlterConfigsRequest::Resource& resource : request.resources) {
    absl::Status status = CheckAlterable(resource.resource_type);
    if (status.ok()) {
      // AlterConfigs replaces the whole set: what it does not name goes back to the default.
      storage::ConfigOverrides to_set;
      for (const auto& config : resource.configs) {
        if (config.value) to_set[config.name] = *config.value;
      }
      std::vector<std::string> to_remove;
      absl::StatusOr<storage::TopicInfo> info =
          ctx.broker.store.DescribeTopic(resource.resource_name);
      status = info.status();
      if (info.ok()) {
        for (const auto& [key, value] : info->overrides) {
          if (!to_set.contains(key)) to_remove.push_back(key);
        }
        status = Alter(ctx, resource.resource_name, to_set, to_remove, request.validate_only);
      }
    }
    response.responses.push_back(Answer(resource.resource_type, resource.resource_name, status));
  }
  co_return response;
}

KafkaResult<kafka::IncrementalAlterConfigsResponse> HandleIncrementalAlterConfigs(
    KafkaContext& ctx, const kafka::IncrementalAlterConfigsRequest& request, KafkaScope&) {
  kafka::IncrementalAlterConfigsResponse response;
  for (const kafka::IncrementalAlterConfigsRequest::Resource& resource : request.resources) {
    absl::Status status = CheckAlterable(resource.resource_type);
    absl::StatusOr<storage::TopicInfo> info =
        status.ok() ? ctx.broker.store.DescribeTopic(resource.resource_name)
                    : absl::StatusOr<storage::TopicInfo>(status);
    status = info.status();
    storage::ConfigOverrides to_set;
    std::vector<std::string> to_remove;
    for (const auto& config : resource.configs) {
      if (!status.ok()) break;
      const std::string value = config.value.value_or("");
      switch (config.config_operation) {
        case kafka::kConfigSet:
          to_set[config.name] = value;
          break;
        case kafka::kConfigDelete:
          to_remove.push_back(config.name);
          break;
        case kafka::kConfigAppend:
        case kafka::kConfigSubtract: {
          if (config.name != "cleanup.policy") {
            status = MakeError(ErrorCode::kInvalidConfig,
                               fmt::format("{} is not a list: only cleanup.policy takes APPEND "
                                           "and SUBTRACT",
                                           config.name));
            break;
          }
          const storage::ConfigOverrides current = storage::ConfigEntries(info->config);
          to_set[config.name] = EditList(
              to_set.contains(config.name) ? to_set[config.name] : current.at(config.name),
              config.config_operation, value);
          break;
        }
        default:
          status = MakeError(ErrorCode::kInvalidRequest,
                             fmt::format("unknown config operation {}", config.config_operation));
      }
    }
    if (status.ok()) {
      status = Alter(ctx, resource.resource_name, to_set, to_remove, request.validate_only);
    }
    response.responses.push_back(Answer(resource.resource_type, resource.resource_name, status));
  }
  co_return response;
}

}  // namespace brook::kafka_listener
