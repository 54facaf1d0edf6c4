// storage/log_compactor.h: log compaction of one partition (cleanup.policy compact or
// compact,delete): keeps the latest record of every key, drops expired tombstones.
//
// Algorithm (docs/storage.md, "Compaction"), run by PartitionLog::Compact under the
// partition's cleaner lock (one cleaner per partition at a time; appends and reads go on):
//   1. Key map over the dirty part [checkpoint, end): key -> latest offset. `end` is the log
//      end when the run starts (the last batch is compacted too: the log end is kept by the
//      active segment's record), or the first batch that holds a record newer than
//      now - min.compaction.lag.ms, or would push the map past
//      CompactionLimits::max_key_map_bytes (then only a prefix is cleaned this run; at least
//      one batch is always mapped). Full keys are stored: a hash collision can never drop a
//      live record.
//   2. Rewrite [log_start, end): a record stays iff it has no key, or no later record of its
//      key is in the map; a tombstone (null value) additionally only while its timestamp is
//      >= now - delete.retention.ms, or while it is the log's last record (offset
//      log_end - 1: a consumer's position only moves past records it receives, so the log
//      must end with one). The last record of each tracked idempotent producer's newest
//      batch (CleanerView::producer_last_offsets) stays too, with the producer's id, epoch
//      and sequence (Kafka keeps a producer's last batch). Changed batches are replaced (batch_rewrite.h), emptied
//      ones deleted; offsets never change. Rewrites are written in chunks of about
//      chunk_bytes, each ONE atomic RocksDB write carrying the segment sizes and the new
//      checkpoint, so a crash leaves a valid mix of compacted and original batches and the
//      next run finishes the job (re-running is idempotent).
// Records in [log_start, checkpoint) were cleaned before and hold each key at most once, so
// the map only needs the dirty part (as in Kafka).
// I/O: bytes read and written are throttled to bytes_per_second (sleeping between batches),
// and `cancel` is polled between batches.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/types.h"
#include "storage/topic_config.h"

namespace brook::storage {

class PartitionLog;

struct CompactionLimits {
  int64_t bytes_per_second = 0;        // Bytes read + written per second; 0 = unlimited.
  size_t chunk_bytes = 1 << 20;        // Bytes of log examined per atomic write (>= 1 batch).
  size_t max_key_map_bytes = 64 << 20; // Memory of the key map: key bytes + 48 per key.
  const std::atomic<bool>* cancel = nullptr;  // Set to stop early (shutdown); may be null.
  // Stop right after writing this many chunks, as a crash would (tests); -1 = never.
  int64_t stop_after_chunks = -1;
};

struct CompactionStats {
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_kept = 0;     // Records examined in the cleaned range and kept.
  int64_t records_removed = 0;  // Superseded records and expired tombstones removed.
  int64_t tombstones_removed = 0;
  int64_t batches_rewritten = 0;
  int64_t batches_deleted = 0;
  int64_t chunks_written = 0;
  Offset cleaned_up_to;         // The checkpoint after this run: the dirty part starts here.
  bool finished = false;        // False when cancelled or stopped by stop_after_chunks.
  std::chrono::milliseconds duration{0};

  CompactionStats& operator+=(const CompactionStats& other);
};

// One stored batch replaced by compaction.
struct BatchRewrite {
  int64_t last_offset = 0;               // The original batch's key.
  int64_t old_bytes = 0;                 // Its size.
  std::vector<std::string> replacements; // The batches replacing it (none: it is deleted).
};

// Compacts `log` as described above. REQUIRES: called by PartitionLog::Compact (which holds
// the cleaner lock). Errors: STORAGE_ERROR, CORRUPT_MESSAGE (a stored batch does not decode),
// UNKNOWN_TOPIC_OR_PARTITION (the topic was deleted meanwhile).
absl::StatusOr<CompactionStats> RunCompaction(PartitionLog& log, const TopicConfig& config,
                                              int64_t now_ms, const CompactionLimits& limits);

}  // namespace brook::storage
