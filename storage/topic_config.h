// storage/topic_config.h: per-topic settings, their defaults and their validation.
//
// A topic stores only the settings it overrides; TopicConfig is the resolved view (broker
// defaults plus overrides). Every key is declared once in topic_config.cc's table with its
// default and validator; docs/topics.md lists them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace brook::storage {

// Overrides as given by a user: key -> value, both strings (as on the wire and the CLI).
using ConfigOverrides = std::map<std::string, std::string, std::less<>>;

enum class CleanupPolicy { kDelete, kCompact, kCompactDelete };

// The largest max.message.bytes: 64 MiB, plus 64 KiB so that a dead-letter topic can take a
// record of its source's largest batch with the dead-letter headers (kDeadLetterHeadroomBytes).
inline constexpr int32_t kDeadLetterHeadroomBytes = 64 << 10;
inline constexpr int32_t kMaxMessageBytesLimit = (64 << 20) + kDeadLetterHeadroomBytes;

struct TopicConfig {
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;   // retention.ms: 7 days; -1 = unlimited.
  int64_t retention_bytes = -1;                     // retention.bytes per partition; -1 = unlimited.
  CleanupPolicy cleanup_policy = CleanupPolicy::kDelete;  // cleanup.policy
  int32_t max_message_bytes = 1048588;              // max.message.bytes: largest batch accepted.
  int64_t segment_bytes = 64LL << 20;               // segment.bytes: 64 MiB (>= 1 KiB).
  int64_t segment_ms = 3600LL * 1000;               // segment.ms: 1 hour.
  int64_t min_compaction_lag_ms = 0;                // min.compaction.lag.ms
  int64_t max_compaction_lag_ms = 7LL * 24 * 3600 * 1000;  // max.compaction.lag.ms: 7 days.
  int64_t delete_retention_ms = 24LL * 3600 * 1000;  // delete.retention.ms: 1 day.
  double min_cleanable_dirty_ratio = 0.5;           // min.cleanable.dirty.ratio, in [0, 1].
  std::string dlq_topic;  // dlq.topic: where this topic's dead letters go; "" = "<topic>.dlq".
  bool event_store = false;  // event.store: an event store's topic (docs/event-store.md).

  bool deletes() const { return cleanup_policy != CleanupPolicy::kCompact; }
  bool compacts() const { return cleanup_policy != CleanupPolicy::kDelete; }
};

// Applies `overrides` on top of `defaults`. Errors: INVALID_CONFIG naming the key and why
// (unknown key, not a number, out of range, not one of the allowed values, or
// min.compaction.lag.ms above max.compaction.lag.ms).
absl::StatusOr<TopicConfig> ResolveTopicConfig(const TopicConfig& defaults,
                                               const ConfigOverrides& overrides);

// Errors: INVALID_CONFIG when `key` is not a topic setting.
absl::Status ValidateConfigKey(std::string_view key);

// Every setting of `config`, key -> value string, in key order.
ConfigOverrides ConfigEntries(const TopicConfig& config);

// Validates a topic name: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
// Errors: INVALID_TOPIC.
absl::Status ValidateTopicName(std::string_view name);

}  // namespace brook::storage
