// broker/dead_letters/dead_letter_topics.h: the dead-letter service's access to the log:
// which topic a topic's dead letters go to, creating it on first use, and reading one record.
//
// A topic's dead letters go to its dlq.topic setting, by default "<topic>.dlq". The broker
// creates that topic the first time it is needed, with as many partitions as the source,
// cleanup.policy delete, kDeadLetterRetentionMs retention, and room for the source's largest
// batch plus the dead-letter headers (docs/dead-letters.md); a topic created beforehand is used
// as it is.
//
// Thread-safety: functions over a thread-safe LogStore; safe from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "protocol/record_batch.h"
#include "protocol/types.h"
#include "storage/log_store.h"

namespace brook {

// Retention of dead-letter topics the broker creates: 90 days.
inline constexpr int64_t kDeadLetterRetentionMs = 90LL * 24 * 3600 * 1000;

// The dead-letter topic of `source`. Errors: INVALID_REQUEST when it is the source itself;
// INVALID_TOPIC_EXCEPTION when "<topic>.dlq" is not a valid name (too long).
absl::StatusOr<std::string> DeadLetterTopicOf(const storage::TopicInfo& source);

struct DeadLetterTopic {
  int32_t partitions = 0;
  bool created = false;  // This call created it (groups subscribed to it must be told).
};
// Makes sure `name` exists, creating it for `source` as described above. Errors: those of
// CreateTopic.
absl::StatusOr<DeadLetterTopic> EnsureDeadLetterTopic(storage::LogStore& store,
                                                      const std::string& name,
                                                      const storage::TopicInfo& source);

// One record of the log, with the bytes its views point into.
struct StoredRecord {
  std::string batches;
  std::string scratch;
  RecordView record;
  Compression compression = Compression::kNone;  // Its batch's.
  StoredRecord() = default;
  StoredRecord(const StoredRecord&) = delete;
  StoredRecord& operator=(const StoredRecord&) = delete;
};
// Reads the record at `offset` into *out. Errors: UNKNOWN_TOPIC_OR_PARTITION;
// OFFSET_OUT_OF_RANGE when there is no record at `offset` (outside the log, or removed by
// compaction); CORRUPT_MESSAGE; STORAGE_ERROR.
absl::Status ReadRecord(const storage::LogStore& store, const TopicPartition& partition,
                        int64_t offset, StoredRecord* out);

// Where a record with `key` goes among `partitions` partitions: the key's partition, or for a
// keyless record `fallback` modulo the count.
PartitionId PlaceRecord(const std::optional<std::string_view>& key, int32_t fallback,
                        int32_t partitions);

}  // namespace brook
