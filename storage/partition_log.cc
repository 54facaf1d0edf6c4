#include "storage/partition_log.h"

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/rocksdb_status.h"

namespace brook::storage {
namespace {

// Reads through a partition's keys of one column family, never past `upper_bound`.
std::unique_ptr<rocksdb::Iterator> PartitionIterator(const ColumnFamilies& cfs,
                                                     rocksdb::ColumnFamilyHandle* cf,
                                                     const rocksdb::Slice* upper_bound) {
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = upper_bound;
  return std::unique_ptr<rocksdb::Iterator>(cfs.db->NewIterator(options, cf));
}

}  // namespace

PartitionLog::PartitionLog(ColumnFamilies cfs, uint32_t topic_id, PartitionId partition)
    : cfs_(cfs),
      topic_id_(topic_id),
      partition_(partition),
      upper_bound_(PartitionPrefixEnd(topic_id, partition.value)) {}

absl::Status PartitionLog::Recover() {
  const std::string prefix = PartitionPrefix(topic_id_, partition_.value);
  const rocksdb::Slice upper(upper_bound_);
  int64_t log_end = 0;
  int64_t log_start = -1;
  {
    auto it = PartitionIterator(cfs_, cfs_.log, &upper);
    it->SeekForPrev(LogKey(topic_id_, partition_.value, INT64_MAX));
    if (it->Valid() && it->key().starts_with(prefix)) {
      log_end = LogKeyLastOffset(it->key().ToStringView()) + 1;
    }
    it->Seek(prefix);
    if (it->Valid()) {
      absl::StatusOr<BatchHeader> first = ParseBatchHeader(it->value().ToStringView());
      if (first.ok()) log_start = first->base_offset;
    }
    if (absl::Status s = FromRocks(it->status(), "recovering a partition"); !s.ok()) return s;
  }
  std::string state;
  rocksdb::Status s = cfs_.db->Get(rocksdb::ReadOptions(), cfs_.meta,
                                   MetaPartitionStateKey(topic_id_, partition_.value), &state);
  if (s.ok() && state.size() >= 8) {
    log_start = std::max(log_start, DecodeI64(state));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading partition state");
  }
  if (log_start < 0) log_start = log_end;
  log_end = std::max(log_end, log_start);

  int64_t max_timestamp = INT64_MIN;
  {
    auto it = PartitionIterator(cfs_, cfs_.time_index, &upper);
    it->SeekForPrev(TimeIndexKey(topic_id_, partition_.value, INT64_MAX, INT64_MAX));
    if (it->Valid() && it->key().starts_with(prefix)) {
      max_timestamp = TimeIndexTimestamp(it->key().ToStringView());
    }
    if (absl::Status st = FromRocks(it->status(), "recovering a time index"); !st.ok()) return st;
  }
  absl::MutexLock lock(&append_mu_);
  max_timestamp_ = max_timestamp;
  log_start_.store(log_start, std::memory_order_release);
  log_end_.store(log_end, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> PartitionLog::Append(std::span<const ValidatedBatch> batches) {
  absl::MutexLock lock(&append_mu_);
  if (deleted_) {
    return MakeError(ErrorCode::kUnknownTopicOrPartition, "the topic was deleted");
  }
  const int64_t base = log_end_.load(std::memory_order_relaxed);
  int64_t next = base;
  int64_t max_timestamp = max_timestamp_;
  std::vector<std::array<char, 8>> base_offsets(batches.size());
  rocksdb::WriteBatch write;
  for (size_t i = 0; i < batches.size(); ++i) {
    const ValidatedBatch& batch = batches[i];
    EncodeBaseOffset(next, base_offsets[i].data());
    const int64_t last = next + batch.summary.header.last_offset_delta;
    const std::string key = LogKey(topic_id_, partition_.value, last);
    const rocksdb::Slice key_slice(key);
    const rocksdb::Slice value_parts[2] = {
        rocksdb::Slice(base_offsets[i].data(), 8),
        rocksdb::Slice(batch.bytes.data() + 8, batch.bytes.size() - 8)};
    write.Put(cfs_.log, rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(value_parts, 2));
    if (batch.summary.max_timestamp > max_timestamp) {
      max_timestamp = batch.summary.max_timestamp;
      write.Put(cfs_.time_index, TimeIndexKey(topic_id_, partition_.value, max_timestamp, next),
                rocksdb::Slice());
    }
    next = last + 1;
  }
  rocksdb::WriteOptions options;  // WAL on, no fsync: survives a process crash.
  if (absl::Status s = FromRocks(cfs_.db->Write(options, &write), "appending to the log");
      !s.ok()) {
    return s;
  }
  max_timestamp_ = max_timestamp;
  log_end_.store(next, std::memory_order_release);
  return AppendResult{Offset(base), log_start(), Offset(next)};
}

absl::StatusOr<ReadResult> PartitionLog::Read(Offset from, size_t max_bytes,
                                              bool min_one_batch) const {
  ReadResult result{{}, log_start(), log_end()};
  if (from < result.log_start || from > result.log_end) {
    return MakeError(ErrorCode::kOffsetOutOfRange,
                     fmt::format("offset {} is outside the log [{}, {})", from.value, result.log_start.value, result.log_end.value));
  }
  if (from == result.log_end) return result;
  // Only batches below the log end seen above: a concurrent append is not half-read.
  const std::string upper = LogKey(topic_id_, partition_.value, result.log_end.value);
  const rocksdb::Slice upper_slice(upper);
  auto it = PartitionIterator(cfs_, cfs_.log, &upper_slice);
  for (it->Seek(LogKey(topic_id_, partition_.value, from.value)); it->Valid(); it->Next()) {
    const rocksdb::Slice value = it->value();
    const bool may_exceed = min_one_batch && result.records.empty();
    if (!may_exceed && result.records.size() + value.size() > max_bytes) break;
    result.records.append(value.data(), value.size());
    if (result.records.size() >= max_bytes) break;
  }
  if (absl::Status s = FromRocks(it->status(), "reading the log"); !s.ok()) return s;
  return result;
}

absl::StatusOr<TimestampLookup> PartitionLog::OffsetForTimestamp(TimestampMs t) const {
  const Offset end = log_end();
  Offset from = end;
  {
    const rocksdb::Slice upper(upper_bound_);
    auto it = PartitionIterator(cfs_, cfs_.time_index, &upper);
    it->Seek(TimeIndexKey(topic_id_, partition_.value, t.value, 0));
    if (it->Valid()) from = Offset(TimeIndexBaseOffset(it->key().ToStringView()));
    if (absl::Status s = FromRocks(it->status(), "reading the time index"); !s.ok()) return s;
  }
  from = std::max(from, log_start());
  // The indexed batch is the first whose records reach `t`; scan it (and, should retention
  // have removed it, the batches after) for the first such record.
  while (from < end) {
    absl::StatusOr<ReadResult> read = Read(from, 1 << 20);
    if (!read.ok()) return read.status();
    if (read->records.empty()) break;
    absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(read->records);
    if (!batches.ok()) return batches.status();
    for (std::string_view batch : *batches) {
      std::string scratch;
      std::vector<RecordView> records;
      if (absl::Status s = DecodeRecords(batch, &scratch, &records); !s.ok()) return s;
      for (const RecordView& record : records) {
        if (record.offset >= from.value && record.timestamp >= t.value) {
          return TimestampLookup{Offset(record.offset), TimestampMs(record.timestamp)};
        }
      }
      if (!records.empty()) from = Offset(records.back().offset + 1);
    }
  }
  return TimestampLookup{end, TimestampMs(-1)};
}

void PartitionLog::MarkDeleted() {
  absl::MutexLock lock(&append_mu_);
  deleted_ = true;
}

}  // namespace brook::storage
