// storage/segment.h: segments, the unit of retention: contiguous runs of a partition's batches.
//
// A partition's batches are grouped into segments in offset order, like Kafka's segment
// files but logical: a segment is one record in the meta column family (keys.h tag 'S'),
// updated in the same WriteBatch as every append to it. The last segment is the "active"
// one; appends roll a new one when it reaches segment.bytes or segment.ms (ShouldRoll).
// Retention removes whole leading segments (SegmentsToDelete), never the active one;
// DeleteRecords removes the segments below its offset and trims the one holding it
// (TrimSegment), which then starts inside its first batch.
//
// Value encoding (frozen, big-endian): version i8 (=1) | last_offset i64 | bytes i64 |
//   max_timestamp i64 | created_ms i64. The base offset is in the key.
// The compaction checkpoint (tag 'C') is: version i8 (=1) | cleaned_up_to i64.
// Pure functions over values; thread-compatible.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/topic_config.h"

namespace brook::storage {

struct Segment {
  int64_t base_offset = 0;    // First offset of its first batch (or the log start inside it).
  int64_t last_offset = -1;   // Last offset of its last batch.
  int64_t bytes = 0;          // Sum of its stored batches' sizes (shrinks with compaction).
  int64_t max_timestamp = INT64_MIN;  // Largest record timestamp appended to it.
  int64_t created_ms = 0;     // Wall clock of its first append (drives segment.ms).
};

std::string EncodeSegment(const Segment& segment);
// Errors: DataLoss when `value` is not a version-1 segment record.
absl::StatusOr<Segment> DecodeSegment(int64_t base_offset, std::string_view value);

std::string EncodeCleanerCheckpoint(int64_t cleaned_up_to);
// Errors: DataLoss when `value` is not a version-1 checkpoint.
absl::StatusOr<int64_t> DecodeCleanerCheckpoint(std::string_view value);

// Whether the next batch appended at `now_ms` must open a new segment after `active`:
// `active` holds segment.bytes or more, or was created segment.ms or more ago.
bool ShouldRoll(const Segment& active, const TopicConfig& config, int64_t now_ms);

// How many leading segments retention deletes (Kafka's rules): while more than one segment
// remains, the oldest goes if the partition would still hold at least retention.bytes without
// it, or if its newest record is older than now - retention.ms. Never the last segment.
// -1 disables either rule. Ignores cleanup.policy (the caller checks it).
size_t SegmentsToDelete(std::span<const Segment> segments, const TopicConfig& config,
                        int64_t now_ms);

// `segment` without its offsets below `new_base`: based there, its bytes prorated by the
// offsets it keeps (what the removed batches weighed is not read back).
// REQUIRES: segment.base_offset < new_base <= segment.last_offset.
Segment TrimSegment(const Segment& segment, int64_t new_base);

}  // namespace brook::storage
