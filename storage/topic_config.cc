#include "storage/topic_config.h"

#include <charconv>
#include <functional>

#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook::storage {
namespace {

absl::Status InvalidConfig(std::string_view key, std::string_view value, std::string_view why) {
  return MakeError(ErrorCode::kInvalidConfig,
                   fmt::format("invalid value '{}' for {}: {}", value, key, why));
}

// Parses an int64 in [min, max].
absl::StatusOr<int64_t> ParseInt(std::string_view key, std::string_view value, int64_t min,
                                 int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size()) {
    return InvalidConfig(key, value, "not an integer");
  }
  if (v < min || v > max) {
    return InvalidConfig(key, value, fmt::format("must be between {} and {}", min, max));
  }
  return v;
}

std::string_view PolicyName(CleanupPolicy p) {
  switch (p) {
    case CleanupPolicy::kDelete:
      return "delete";
    case CleanupPolicy::kCompact:
      return "compact";
    case CleanupPolicy::kCompactDelete:
      return "compact,delete";
  }
  return "delete";
}

struct ConfigKey {
  std::string_view name;
  std::function<absl::Status(std::string_view, TopicConfig&)> set;
  std::function<std::string(const TopicConfig&)> get;
};

// A key holding an integer field of TopicConfig, valid in [min, max].
template <typename T>
ConfigKey IntKey(std::string_view name, T TopicConfig::*field, int64_t min, int64_t max) {
  return {name,
          [=](std::string_view v, TopicConfig& c) -> absl::Status {
            absl::StatusOr<int64_t> n = ParseInt(name, v, min, max);
            if (!n.ok()) return n.status();
            c.*field = static_cast<T>(*n);
            return absl::OkStatus();
          },
          [=](const TopicConfig& c) { return std::to_string(c.*field); }};
}

// A key holding a floating-point field of TopicConfig, valid in [min, max].
ConfigKey DoubleKey(std::string_view name, double TopicConfig::*field, double min, double max) {
  return {name,
          [=](std::string_view v, TopicConfig& c) -> absl::Status {
            double d = 0;
            auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
            if (ec != std::errc() || end != v.data() + v.size()) {
              return InvalidConfig(name, v, "not a number");
            }
            if (!(d >= min && d <= max)) {
              return InvalidConfig(name, v, fmt::format("must be between {} and {}", min, max));
            }
            c.*field = d;
            return absl::OkStatus();
          },
          [=](const TopicConfig& c) { return fmt::format("{}", c.*field); }};
}

// Every topic setting, in key order.
const ConfigKey kKeys[] = {
    {"cleanup.policy",
     [](std::string_view v, TopicConfig& c) -> absl::Status {
       for (CleanupPolicy p :
            {CleanupPolicy::kDelete, CleanupPolicy::kCompact, CleanupPolicy::kCompactDelete}) {
         if (v == PolicyName(p) || (p == CleanupPolicy::kCompactDelete && v == "delete,compact")) {
           c.cleanup_policy = p;
           return absl::OkStatus();
         }
       }
       return InvalidConfig("cleanup.policy", v, "must be delete, compact or compact,delete");
     },
     [](const TopicConfig& c) { return std::string(PolicyName(c.cleanup_policy)); }},
    IntKey("delete.retention.ms", &TopicConfig::delete_retention_ms, 0, INT64_MAX),
    {"dlq.topic",
     [](std::string_view v, TopicConfig& c) -> absl::Status {
       if (!v.empty()) {
         if (absl::Status s = ValidateTopicName(v); !s.ok()) {
           return InvalidConfig("dlq.topic", v, "not a valid topic name (or empty: <topic>.dlq)");
         }
       }
       c.dlq_topic = std::string(v);
       return absl::OkStatus();
     },
     [](const TopicConfig& c) { return c.dlq_topic; }},
    {"event.store",
     [](std::string_view v, TopicConfig& c) -> absl::Status {
       if (v != "true" && v != "false") return InvalidConfig("event.store", v, "must be true or false");
       c.event_store = v == "true";
       return absl::OkStatus();
     },
     [](const TopicConfig& c) { return std::string(c.event_store ? "true" : "false"); }},
    IntKey("max.compaction.lag.ms", &TopicConfig::max_compaction_lag_ms, 1, INT64_MAX),
    IntKey("max.message.bytes", &TopicConfig::max_message_bytes, 128, kMaxMessageBytesLimit),
    DoubleKey("min.cleanable.dirty.ratio", &TopicConfig::min_cleanable_dirty_ratio, 0, 1),
    IntKey("min.compaction.lag.ms", &TopicConfig::min_compaction_lag_ms, 0, INT64_MAX),
    IntKey("retention.bytes", &TopicConfig::retention_bytes, -1, INT64_MAX),
    IntKey("retention.ms", &TopicConfig::retention_ms, -1, INT64_MAX),
    IntKey("segment.bytes", &TopicConfig::segment_bytes, 1024, 1LL << 40),
    IntKey("segment.ms", &TopicConfig::segment_ms, 1, INT64_MAX),
};

const ConfigKey* FindKey(std::string_view name) {
  for (const ConfigKey& k : kKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<TopicConfig> ResolveTopicConfig(const TopicConfig& defaults,
                                               const ConfigOverrides& overrides) {
  TopicConfig config = defaults;
  for (const auto& [key, value] : overrides) {
    if (absl::Status s = ValidateConfigKey(key); !s.ok()) return s;
    if (absl::Status s = FindKey(key)->set(value, config); !s.ok()) return s;
  }
  if (config.min_compaction_lag_ms > config.max_compaction_lag_ms) {
    return MakeError(ErrorCode::kInvalidConfig,
                     fmt::format("min.compaction.lag.ms ({}) must not exceed max.compaction.lag.ms ({})", config.min_compaction_lag_ms, config.max_compaction_lag_ms));
  }
  if (config.event_store && config.compacts()) {
    // Compaction keeps one record per key, and a store's key is the stream id.
    return MakeError(ErrorCode::kInvalidConfig,
                     "an event store (event.store=true) needs cleanup.policy=delete: compaction "
                     "would keep only each stream's last event");
  }
  return config;
}

absl::Status ValidateConfigKey(std::string_view key) {
  if (FindKey(key) != nullptr) return absl::OkStatus();
  std::string known;
  for (const ConfigKey& k : kKeys) known += fmt::format("{}{}", known.empty() ? "" : ", ", k.name);
  return MakeError(ErrorCode::kInvalidConfig,
                   fmt::format("unknown topic config '{}' (known: {})", key, known));
}

ConfigOverrides ConfigEntries(const TopicConfig& config) {
  ConfigOverrides entries;
  for (const ConfigKey& k : kKeys) entries.emplace(k.name, k.get(config));
  return entries;
}

absl::Status ValidateTopicName(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") {
    return MakeError(ErrorCode::kInvalidTopic,
                     fmt::format("invalid topic name '{}': use 1-249 characters of [a-zA-Z0-9._-]", name));
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return MakeError(ErrorCode::kInvalidTopic,
                       fmt::format("invalid topic name '{}': use 1-249 characters of [a-zA-Z0-9._-]", name));
    }
  }
  return absl::OkStatus();
}

}  // namespace brook::storage
