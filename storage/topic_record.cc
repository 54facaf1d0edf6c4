#include "storage/topic_record.h"

#include "protocol/wire.h"

namespace brook::storage {
namespace {
constexpr int8_t kTopicRecordVersion = 1;
}

std::string EncodeTopicRecord(const TopicRecord& record) {
  std::string out;
  wire::Writer w(&out);
  w.Int8(kTopicRecordVersion);
  w.UInt32(record.topic_id);
  w.Int32(record.partitions);
  w.Int64(record.created_ms);
  w.Int32(static_cast<int32_t>(record.overrides.size()));
  for (const auto& [key, value] : record.overrides) {
    w.String(key);
    w.String(value);
  }
  return out;
}

absl::StatusOr<TopicRecord> DecodeTopicRecord(std::string_view bytes) {
  wire::Reader r(bytes);
  TopicRecord record;
  if (r.Int8() != kTopicRecordVersion) {
    return absl::DataLossError("topic record has an unknown format version");
  }
  record.topic_id = r.UInt32();
  record.partitions = r.Int32();
  record.created_ms = r.Int64();
  int32_t n = r.ArrayCount();
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    std::string key = r.String();
    record.overrides[key] = r.String();
  }
  if (!r.ok() || r.remaining() != 0) return absl::DataLossError("topic record is corrupt");
  return record;
}

}  // namespace brook::storage
