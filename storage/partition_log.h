// storage/partition_log.h: one partition's append-only log of record batches in RocksDB.
//
// Operation: Append assigns the next offsets to validated batches (rewriting each batch's
// baseOffset), writes the batches and their time-index entries in ONE RocksDB write batch
// (all or nothing, so a torn write is never half-visible), then advances log_end. Read seeks
// to the batch holding an offset by its key (no scan) and returns whole batches.
// Offsets are contiguous from 0 and never reused: on open, log_end is recovered from the last
// stored batch.
//
// Concurrency: Append is serialized by a mutex (offset order = write order); Read,
// OffsetForTimestamp, log_start and log_end are lock-free and may run concurrently with it;
// they see a prefix of the log ending at a batch boundary.
// Lifecycle: owned by LogStore; MarkDeleted fences later appends when the topic is deleted.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "protocol/record_batch.h"
#include "protocol/types.h"
#include "storage/column_families.h"

namespace brook::storage {

struct ValidatedBatch {
  std::string_view bytes;  // A whole batch that passed ValidateBatch.
  BatchSummary summary;
};

struct AppendResult {
  Offset base_offset;  // Offset given to the first record appended.
  Offset log_start;
  Offset log_end;  // After the append.
};

struct ReadResult {
  std::string records;  // Whole batches back to back; the first may start before `from`.
  Offset log_start;
  Offset log_end;
};

struct TimestampLookup {
  Offset offset;          // First record with timestamp >= T, or log_end if none.
  TimestampMs timestamp;  // Its timestamp, or -1 if none.
};

class PartitionLog {
 public:
  PartitionLog(ColumnFamilies cfs, uint32_t topic_id, PartitionId partition);
  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Loads log_start, log_end and the time-index high mark from RocksDB.
  // Errors: STORAGE_ERROR when RocksDB cannot be read.
  absl::Status Recover();

  // Appends `batches` in order. Errors: UNKNOWN_TOPIC_OR_PARTITION after MarkDeleted;
  // STORAGE_ERROR when the write fails (e.g. disk full): nothing is appended then.
  // Durability: the write is in RocksDB's WAL (survives a process crash) when this returns.
  absl::StatusOr<AppendResult> Append(std::span<const ValidatedBatch> batches);

  // Returns whole batches starting with the one holding `from`, up to `max_bytes`; with
  // `min_one_batch`, the first batch even if it alone exceeds `max_bytes` (so a reader always
  // makes progress). Empty at the log end. Errors: OFFSET_OUT_OF_RANGE when `from` is below
  // log_start or above log_end; STORAGE_ERROR.
  absl::StatusOr<ReadResult> Read(Offset from, size_t max_bytes, bool min_one_batch = true) const;

  // The first record whose timestamp is >= `t`. Errors: STORAGE_ERROR.
  absl::StatusOr<TimestampLookup> OffsetForTimestamp(TimestampMs t) const;

  Offset log_start() const { return Offset(log_start_.load(std::memory_order_acquire)); }
  Offset log_end() const { return Offset(log_end_.load(std::memory_order_acquire)); }
  PartitionId partition() const { return partition_; }

  // Fences appends; waits for an append in progress to finish.
  void MarkDeleted();

 private:
  const ColumnFamilies cfs_;
  const uint32_t topic_id_;
  const PartitionId partition_;
  const std::string upper_bound_;  // First key after this partition's keys.

  absl::Mutex append_mu_;
  bool deleted_ ABSL_GUARDED_BY(append_mu_) = false;
  int64_t max_timestamp_ ABSL_GUARDED_BY(append_mu_) = INT64_MIN;  // Time-index high mark.
  std::atomic<int64_t> log_start_{0};
  std::atomic<int64_t> log_end_{0};
};

}  // namespace brook::storage
