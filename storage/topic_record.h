// storage/topic_record.h: the persisted description of a topic (value of meta key 'T'|name).
//
// Encoding (frozen; big-endian, wire.h primitives):
//   version int8 (=1) | topic_id uint32 | partitions int32 | created_ms int64 |
//   override_count int32 | (key string, value string) * override_count
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/topic_config.h"

namespace brook::storage {

struct TopicRecord {
  uint32_t topic_id = 0;
  int32_t partitions = 0;
  int64_t created_ms = 0;
  ConfigOverrides overrides;  // Only the settings the topic overrides.
};

std::string EncodeTopicRecord(const TopicRecord& record);
// Errors: DataLoss when the bytes are not a version-1 topic record.
absl::StatusOr<TopicRecord> DecodeTopicRecord(std::string_view bytes);

}  // namespace brook::storage
