// storage/partition_log.h: one partition's append-only log of record batches in RocksDB.
//
// Operation: Append assigns the next offsets to validated batches (rewriting each batch's
// baseOffset), writes the batches, their time-index entries and the active segment's record
// (segment.h) in ONE RocksDB write batch (all or nothing, so a torn write is never
// half-visible), then advances log_end. Read seeks to the batch holding an offset by its key
// (no scan) and returns whole batches. A small last batch (up to kMaxTailBatchBytes) is also
// kept in memory, so a reader that has caught up (the usual consumer) gets it without a
// RocksDB read; retention never deletes the active segment, and a compaction that rewrites
// the last batch, or a DeleteRecordsBefore that deletes it, drops the copy, so the copy is
// always what RocksDB holds. Offsets are
// assigned contiguously from 0 and never reused: on open, log_end is recovered from the
// active segment's record (written with every append), so it survives compaction of the last
// batches. Retention (EnforceRetention) removes whole leading segments and advances
// log_start, and so does DeleteRecordsBefore (Kafka's DeleteRecords), down to any offset;
// compaction (Compact, log_compactor.h) replaces batches up to the log end,
// leaving offset gaps between batches, and always keeps the record at log_end - 1.
// Idempotent producers (producer_state.h): the state of each producer that appended is kept
// in memory (loaded by Recover) and written in the append's own RocksDB write; Append checks
// batches with a producer id against it and answers a retried batch with its original
// offsets instead of appending it again.
//
// Concurrency: Append is serialized by a mutex (offset order = write order), which also
// guards the segment list and the producers' state. Retention, DeleteRecordsBefore and
// compaction of one partition are serialized by a second, "cleaner" mutex and take the append
// mutex only for their short writes. Read,
// OffsetForTimestamp, log_start and log_end are lock-free and may run concurrently with all
// of them; a read sees a prefix of the log ending at a batch boundary, and never data below
// a log start that retention has advanced.
// Lifecycle: owned by LogStore; MarkDeleted fences later appends when the topic is deleted.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "protocol/record_batch.h"
#include "protocol/types.h"
#include "storage/column_families.h"
#include "storage/log_compactor.h"
#include "storage/partition_traffic.h"
#include "storage/producer_state.h"
#include "storage/segment.h"
#include "storage/topic_config.h"

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace brook::storage {

struct ValidatedBatch {
  std::string_view bytes;  // A whole batch that passed ValidateBatch.
  BatchSummary summary;
};

struct AppendResult {
  Offset base_offset;  // Offset given to the first record appended (a duplicate: the original's).
  Offset log_start;
  Offset log_end;  // After the append.
  // The record set repeats batches an idempotent producer appended before (a retry): nothing
  // was appended now, and base_offset is where the first of them was.
  bool duplicate = false;
};

struct ReadResult {
  std::string records;  // Whole batches back to back; the first may start before `from`.
  Offset log_start;
  Offset log_end;
  // The partition's traffic counters: a reader that sends `records` counts them there.
  std::shared_ptr<PartitionTraffic> traffic;
};

// What PartitionLog::ReadBatchesEndingAt found.
struct BatchLookup {
  std::vector<std::string> batches;  // Per offset asked: the batch ending there, or "".
  int64_t log_start = 0;             // The log start once they were read.
};

struct TimestampLookup {
  Offset offset;          // First record with timestamp >= T, or log_end if none.
  TimestampMs timestamp;  // Its timestamp, or -1 if none.
};

// What advancing a partition's log start removed, by retention or DeleteRecordsBefore
// (nothing: equal log starts, zeros).
struct RetentionResult {
  PartitionId partition;
  Offset old_log_start;
  Offset new_log_start;     // The low watermark now.
  int64_t bytes_freed = 0;  // The deleted segments' sizes (a trimmed one's prorated part).
  int64_t segments_deleted = 0;
};

// DeleteRecordsBefore's offset that means "the high watermark" (the log end), as in Kafka's
// DeleteRecords.
inline constexpr Offset kHighWatermark{-1};

// The state compaction starts from (see log_compactor.h).
struct CleanerView {
  int64_t log_start = 0;
  int64_t cleaned_up_to = 0;    // The checkpoint, never below log_start.
  int64_t log_end = 0;          // Compaction cleans at most up to here.
  // The last offset of each tracked producer's newest batch, sorted: compaction keeps the
  // records there.
  std::vector<int64_t> producer_last_offsets;
};

class PartitionLog {
 public:
  // The largest last batch kept in memory for readers at the log end.
  static constexpr size_t kMaxTailBatchBytes = 4096;

  // `producer_expiration_ms`: how long a producer's state outlives its last append here.
  PartitionLog(ColumnFamilies cfs, uint32_t topic_id, PartitionId partition,
               int64_t producer_expiration_ms);
  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Loads log_start, log_end (the larger of the last stored batch's end and the last
  // segment's), the segments, the compaction checkpoint, the time-index high mark and the
  // producers' state from RocksDB. A partition stored before segments existed (batches but no
  // segment record) becomes one segment created at `now_ms`, sized by a scan, and persisted.
  // Errors: STORAGE_ERROR when RocksDB cannot be read; DataLoss for a corrupt record.
  absl::Status Recover(int64_t now_ms);

  // Writes that must land atomically with an append, given the offset of its first record.
  // Runs under the append mutex; an error cancels the append.
  using AppendAlso = absl::FunctionRef<absl::Status(rocksdb::WriteBatch& write, Offset base)>;
  // Appends `batches` in order, and `also`'s writes in the same RocksDB write; `config`'s
  // segment.bytes and segment.ms decide when a new segment starts, `now_ms` is its creation
  // time. Batches with a producer id are first checked against their producers' state
  // (ProducerAppendPlan): if they all repeat retained batches, nothing is written, `also` is
  // not called, and the result has `duplicate` set; otherwise the producers' new state goes
  // into the same write. Errors: UNKNOWN_TOPIC_OR_PARTITION after MarkDeleted; STORAGE_ERROR
  // when the write fails (e.g. disk full): nothing is appended then; INVALID_RECORD,
  // INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER, DUPLICATE_SEQUENCE_NUMBER (see
  // producer_state.h; nothing appended); `also`'s errors.
  // Durability: the write is in RocksDB's WAL (survives a process crash) when this returns.
  absl::StatusOr<AppendResult> Append(std::span<const ValidatedBatch> batches,
                                      const TopicConfig& config, int64_t now_ms,
                                      AppendAlso also);

  // Returns whole batches starting with the one holding `from`, up to `max_bytes`; with
  // `min_one_batch`, the first batch even if it alone exceeds `max_bytes` (so a reader always
  // makes progress). Empty at the log end. Errors: OFFSET_OUT_OF_RANGE when `from` is below
  // log_start or above log_end; STORAGE_ERROR. The bytes are not checked against RocksDB's
  // checksums: each batch's CRC-32C is checked by whoever decodes it (DecodeRecords).
  absl::StatusOr<ReadResult> Read(Offset from, size_t max_bytes, bool min_one_batch = true) const;
  // The batches whose last offsets are `last_offsets`, by point lookups in one RocksDB
  // MultiGet: for each, the whole batch as Read returns it, or "" when no batch ends there
  // (none does, or it is outside [log_start, log_end)); and the log start after the lookup:
  // a batch may begin below it (DeleteRecords stops inside a batch), and its records there
  // are no longer the log's. For readers that know where batches end (the event store's
  // index) and want batches that lie apart. Errors: STORAGE_ERROR.
  absl::StatusOr<BatchLookup> ReadBatchesEndingAt(std::span<const int64_t> last_offsets) const;

  // The first record whose timestamp is >= `t`. Errors: STORAGE_ERROR.
  absl::StatusOr<TimestampLookup> OffsetForTimestamp(TimestampMs t) const;

  Offset log_start() const { return Offset(log_start_.load(std::memory_order_acquire)); }
  Offset log_end() const { return Offset(log_end_.load(std::memory_order_acquire)); }
  PartitionId partition() const { return partition_; }
  std::vector<Segment> segments() const;
  // Records and bytes in and out since it was opened (partition_traffic.h).
  const std::shared_ptr<PartitionTraffic>& traffic() const { return traffic_; }

  // Deletes the leading segments that `config`'s retention.ms / retention.bytes expire at
  // `now_ms` (SegmentsToDelete; the active segment never), in ONE atomic write: their
  // batches, their time-index entries (all but the newest, which keeps timestamp lookups
  // right), their segment records, and the new log start. Then compacts the deleted key
  // range so RocksDB frees the disk space (and the blobs). REQUIRES: the caller checked that
  // the topic's cleanup.policy deletes. Errors: UNKNOWN_TOPIC_OR_PARTITION after MarkDeleted;
  // STORAGE_ERROR (if the deletion was written, the log start has advanced even so).
  absl::StatusOr<RetentionResult> EnforceRetention(const TopicConfig& config, int64_t now_ms);

  // Kafka's DeleteRecords: moves the log start forward to `offset` (kHighWatermark: the log
  // end), by the same atomic write as retention, fsynced: the batches that end below it, the
  // segments wholly below it and their time-index entries go; a segment holding it starts at
  // `offset` from then on (its size prorated by offsets). A batch that straddles `offset`
  // stays whole, but a read below `offset` answers OFFSET_OUT_OF_RANGE at once. Producers'
  // state stays (an idempotent producer goes on with its next sequence). Returns the old and
  // new log start; an `offset` at or below the log start changes nothing. REQUIRES: the
  // caller checked that the topic's cleanup.policy deletes. Errors: OFFSET_OUT_OF_RANGE when
  // `offset` is above the log end or negative (but kHighWatermark);
  // UNKNOWN_TOPIC_OR_PARTITION after MarkDeleted; STORAGE_ERROR (as EnforceRetention).
  absl::StatusOr<RetentionResult> DeleteRecordsBefore(Offset offset);

  // Compacts the partition (log_compactor.h) under the cleaner lock.
  // REQUIRES: the topic's cleanup.policy compacts. Errors: see RunCompaction.
  absl::StatusOr<CompactionStats> Compact(const TopicConfig& config, int64_t now_ms,
                                          const CompactionLimits& limits);

  // The broker scheduler's test: true when the dirty part (bytes after the compaction
  // checkpoint, prorated by offsets inside the segment holding it) is at least
  // min.cleanable.dirty.ratio of the partition's bytes, or its first batch is older than
  // max.compaction.lag.ms; false while that batch is younger than min.compaction.lag.ms, or
  // when nothing is stored past the checkpoint. Errors: STORAGE_ERROR.
  absl::StatusOr<bool> NeedsCompaction(const TopicConfig& config, int64_t now_ms) const;

  // For RunCompaction only (REQUIRES: inside Compact).
  CleanerView cleaner_view() const;
  // Writes `rewrites` and the checkpoint `cleaned_up_to` in one atomic write, adjusting the
  // sizes of the segments holding them; drops the in-memory copy of the last batch if it is
  // rewritten. Errors: UNKNOWN_TOPIC_OR_PARTITION after
  // MarkDeleted; STORAGE_ERROR (nothing written).
  absl::Status ApplyRewrites(std::span<const BatchRewrite> rewrites, int64_t cleaned_up_to);

  // Forgets the producers that have not appended for producer_expiration_ms at `now_ms`:
  // their state is deleted in one write. Returns how many. Errors: UNKNOWN_TOPIC_OR_PARTITION
  // after MarkDeleted; STORAGE_ERROR (nothing forgotten).
  absl::StatusOr<int64_t> ExpireProducers(int64_t now_ms);
  // A copy of the producers' state (expired entries included until ExpireProducers).
  ProducerEntries producers() const;

  // Fences appends, retention and compaction; waits for a write in progress to finish.
  void MarkDeleted();

 private:
  // Loads the segment records; creates one for data written before segments existed.
  absl::Status RecoverSegments(int64_t log_start, int64_t log_end, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RecoverProducers() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls fn(number, value) for every meta record of this partition keyed
  // tag | PartitionPrefix | number:i64 (segments, producers), in key order. Returns fn's first
  // error; STORAGE_ERROR.
  absl::Status ForEachMetaRecord(
      char tag, std::string_view what,
      absl::FunctionRef<absl::Status(int64_t number, std::string_view value)> fn) const;
  // The producers' state after appending `batches` at `base` (ProducerAppendPlan).
  absl::StatusOr<ProducerAppendPlan::Result> PlanProducers(std::span<const ValidatedBatch> batches,
                                                           int64_t base, int64_t now_ms) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The end (exclusive) of the time-index entries retention may delete when the log starts
  // at `new_start`; empty when there is nothing to delete.
  absl::StatusOr<std::string> TimeIndexDeletionEnd(int64_t new_start) const;
  // Retention's and DeleteRecordsBefore's one path: makes `new_start` (above the log start,
  // at most the log end) the log start and deletes what lies below it in ONE write (fsynced
  // with `sync`), then reclaims the disk space. Errors: as EnforceRetention.
  absl::StatusOr<RetentionResult> AdvanceLogStart(int64_t new_start, bool sync)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(cleaner_mu_);
  // Compacts [partition start, end) of `cf` so deleted data leaves the disk.
  absl::Status Reclaim(rocksdb::ColumnFamilyHandle* cf, const std::string& end) const;

  // The last batch as stored (its baseOffset set), and the log end after it.
  struct TailBatch {
    int64_t base;
    int64_t end;
    std::string bytes;
  };
  std::shared_ptr<const TailBatch> Tail() const;
  // Keeps a copy of the batch just appended at [base, end), its first 8 bytes replaced by
  // `base_offset`, if it is at most kMaxTailBatchBytes; otherwise drops the copy.
  void KeepTail(std::string_view base_offset, std::string_view batch, int64_t base, int64_t end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ColumnFamilies cfs_;
  const uint32_t topic_id_;
  const PartitionId partition_;
  const int64_t producer_expiration_ms_;
  const std::string prefix_;       // PartitionPrefix: first key of this partition.
  const std::string upper_bound_;  // First key after this partition's keys.

  absl::Mutex cleaner_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // One retention/compaction at a time.
  mutable absl::Mutex mu_;  // Appends, and every change of the fields below.
  bool deleted_ ABSL_GUARDED_BY(mu_) = false;
  int64_t max_timestamp_ ABSL_GUARDED_BY(mu_) = INT64_MIN;  // Time-index high mark.
  std::vector<Segment> segments_ ABSL_GUARDED_BY(mu_);      // In offset order.
  int64_t cleaned_up_to_ ABSL_GUARDED_BY(mu_) = 0;          // Compaction checkpoint.
  ProducerEntries producers_ ABSL_GUARDED_BY(mu_);          // Idempotent producers here.
  std::atomic<int64_t> log_start_{0};
  std::atomic<int64_t> log_end_{0};
  // Set before log_end advances; a reader uses it only when its end is the log end it saw.
  mutable absl::Mutex tail_mu_;
  std::shared_ptr<const TailBatch> tail_ ABSL_GUARDED_BY(tail_mu_);
  const std::shared_ptr<PartitionTraffic> traffic_ = std::make_shared<PartitionTraffic>();
};

}  // namespace brook::storage
