#include "storage/partition_log.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <optional>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/bounded_iterator.h"
#include "storage/keys.h"
#include "storage/rocksdb_status.h"

namespace brook::storage {
namespace {

absl::Status TopicDeleted() {
  return MakeError(ErrorCode::kUnknownTopicOrPartition, "the topic was deleted");
}

}  // namespace

PartitionLog::PartitionLog(ColumnFamilies cfs, uint32_t topic_id, PartitionId partition,
                           int64_t producer_expiration_ms)
    : cfs_(cfs),
      topic_id_(topic_id),
      partition_(partition),
      producer_expiration_ms_(producer_expiration_ms),
      prefix_(PartitionPrefix(topic_id, partition.value)),
      upper_bound_(PartitionPrefixEnd(topic_id, partition.value)) {}

absl::Status PartitionLog::Recover(int64_t now_ms) {
  int64_t log_end = 0;
  int64_t log_start = -1;
  {
    BoundedIterator it(cfs_, cfs_.log, prefix_, upper_bound_);
    it->SeekForPrev(LogKey(topic_id_, partition_.value, INT64_MAX));
    if (it->Valid() && it->key().starts_with(prefix_)) {
      log_end = LogKeyLastOffset(it->key().ToStringView()) + 1;
    }
    it->Seek(prefix_);
    if (it->Valid()) {
      absl::StatusOr<BatchHeader> first = ParseBatchHeader(it->value().ToStringView());
      if (first.ok()) log_start = first->base_offset;
    }
    if (absl::Status s = FromRocks(it->status(), "recovering a partition"); !s.ok()) return s;
  }
  std::string value;
  rocksdb::Status s = cfs_.db->Get(rocksdb::ReadOptions(), cfs_.meta,
                                   MetaPartitionStateKey(topic_id_, partition_.value), &value);
  if (s.ok() && value.size() >= 8) {
    log_start = std::max(log_start, DecodeI64(value));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading partition state");
  }
  int64_t cleaned_up_to = 0;
  s = cfs_.db->Get(rocksdb::ReadOptions(), cfs_.meta,
                   MetaCleanerCheckpointKey(topic_id_, partition_.value), &value);
  if (s.ok()) {
    absl::StatusOr<int64_t> checkpoint = DecodeCleanerCheckpoint(value);
    if (!checkpoint.ok()) return checkpoint.status();
    cleaned_up_to = *checkpoint;
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the compaction checkpoint");
  }

  int64_t max_timestamp = INT64_MIN;
  {
    BoundedIterator it(cfs_, cfs_.time_index, prefix_, upper_bound_);
    it->SeekForPrev(TimeIndexKey(topic_id_, partition_.value, INT64_MAX, INT64_MAX));
    if (it->Valid() && it->key().starts_with(prefix_)) {
      max_timestamp = TimeIndexTimestamp(it->key().ToStringView());
    }
    if (absl::Status st = FromRocks(it->status(), "recovering a time index"); !st.ok()) return st;
  }
  absl::MutexLock lock(&mu_);
  max_timestamp_ = max_timestamp;
  if (log_start < 0) log_start = log_end;
  log_end = std::max(log_end, log_start);
  if (absl::Status st = RecoverSegments(log_start, log_end, now_ms); !st.ok()) return st;
  if (absl::Status st = RecoverProducers(); !st.ok()) return st;
  // Compaction may have removed the first batches, and the last ones: the first segment still
  // starts the log, and the active segment's record (written with every append) ends it.
  if (!segments_.empty()) {
    log_start = std::min(log_start, segments_.front().base_offset);
    log_end = std::max(log_end, segments_.back().last_offset + 1);
  }
  cleaned_up_to_ = cleaned_up_to;
  log_start_.store(log_start, std::memory_order_release);
  log_end_.store(log_end, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status PartitionLog::ForEachMetaRecord(
    char tag, std::string_view what,
    absl::FunctionRef<absl::Status(int64_t number, std::string_view value)> fn) const {
  BoundedIterator it(cfs_, cfs_.meta, tag + prefix_, tag + upper_bound_);
  for (it->Seek(tag + prefix_); it->Valid(); it->Next()) {
    const int64_t number = LogKeyLastOffset(it->key().ToStringView().substr(1));
    if (absl::Status s = fn(number, it->value().ToStringView()); !s.ok()) return s;
  }
  return FromRocks(it->status(), what);
}

absl::Status PartitionLog::RecoverSegments(int64_t log_start, int64_t log_end, int64_t now_ms) {
  std::vector<Segment> segments;
  absl::Status loaded = ForEachMetaRecord(
      kMetaSegmentTag, "loading segments", [&](int64_t base, std::string_view value) {
        absl::StatusOr<Segment> segment = DecodeSegment(base, value);
        if (segment.ok()) segments.push_back(*segment);
        return segment.status();
      });
  if (!loaded.ok()) return loaded;
  segments_ = std::move(segments);
  if (!segments_.empty() || log_end == log_start) return absl::OkStatus();

  // Written before segments existed: one segment holding every stored batch.
  Segment legacy{log_start, log_end - 1, 0, max_timestamp_, now_ms};
  BoundedIterator batches(cfs_, cfs_.log, prefix_, upper_bound_);
  for (batches->Seek(prefix_); batches->Valid(); batches->Next()) {
    legacy.bytes += static_cast<int64_t>(batches->value().size());
  }
  if (absl::Status s = FromRocks(batches->status(), "sizing a partition"); !s.ok()) return s;
  rocksdb::Status s = cfs_.db->Put(rocksdb::WriteOptions(), cfs_.meta,
                                   MetaSegmentKey(topic_id_, partition_.value, log_start),
                                   EncodeSegment(legacy));
  if (absl::Status st = FromRocks(s, "recording a segment"); !st.ok()) return st;
  segments_.push_back(legacy);
  return absl::OkStatus();
}

absl::Status PartitionLog::RecoverProducers() {
  ProducerEntries producers;
  absl::Status loaded = ForEachMetaRecord(
      kMetaProducerTag, "loading producer state", [&](int64_t id, std::string_view value) {
        absl::StatusOr<ProducerEntry> entry = DecodeProducerEntry(value);
        if (entry.ok()) producers[ProducerId(id)] = *std::move(entry);
        return entry.status();
      });
  if (!loaded.ok()) return loaded;
  producers_ = std::move(producers);
  return absl::OkStatus();
}

absl::StatusOr<ProducerAppendPlan::Result> PartitionLog::PlanProducers(
    std::span<const ValidatedBatch> batches, int64_t base, int64_t now_ms) const {
  ProducerAppendPlan plan(producers_, now_ms, producer_expiration_ms_);
  int64_t next = base;
  for (const ValidatedBatch& batch : batches) {
    if (absl::Status s = plan.Add(batch.summary, next); !s.ok()) return s;
    next += batch.summary.header.last_offset_delta + 1;
  }
  return std::move(plan).Finish();
}

absl::StatusOr<AppendResult> PartitionLog::Append(std::span<const ValidatedBatch> batches,
                                                  const TopicConfig& config, int64_t now_ms,
                                                  AppendAlso also) {
  absl::MutexLock lock(&mu_);
  if (deleted_) return TopicDeleted();
  const int64_t base = log_end_.load(std::memory_order_relaxed);
  // Batches without a producer id (brook's producer, kafka-python) cost this test only.
  std::optional<ProducerAppendPlan::Result> producers;
  if (std::any_of(batches.begin(), batches.end(),
                  [](const ValidatedBatch& b) { return b.summary.header.producer_id >= 0; })) {
    absl::StatusOr<ProducerAppendPlan::Result> plan = PlanProducers(batches, base, now_ms);
    if (!plan.ok()) return plan.status();
    if (plan->duplicate_of) {
      return AppendResult{Offset(plan->duplicate_of->base_offset), log_start(), Offset(base), true};
    }
    producers = *std::move(plan);
  }
  int64_t next = base;
  int64_t max_timestamp = max_timestamp_;
  int64_t last_batch_base = base;
  std::vector<std::array<char, 8>> base_offsets(batches.size());
  // The active segment (if any), then the segments this append opens.
  std::vector<Segment> tail;
  if (!segments_.empty()) tail.push_back(segments_.back());
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
    if (tail.empty() || ShouldRoll(tail.back(), config, now_ms)) {
      tail.push_back(Segment{next, next - 1, 0, INT64_MIN, now_ms});
    }
    Segment& segment = tail.back();
    segment.last_offset = last;
    segment.bytes += static_cast<int64_t>(batch.bytes.size());
    segment.max_timestamp = std::max(segment.max_timestamp, batch.summary.max_timestamp);
    last_batch_base = next;
    next = last + 1;
  }
  for (const Segment& segment : tail) {
    write.Put(cfs_.meta, MetaSegmentKey(topic_id_, partition_.value, segment.base_offset),
              EncodeSegment(segment));
  }
  if (producers) {
    for (const auto& [id, entry] : producers->updated) {
      write.Put(cfs_.meta, MetaProducerKey(topic_id_, partition_.value, id.value),
                EncodeProducerEntry(entry));
    }
  }
  if (absl::Status s = also(write, Offset(base)); !s.ok()) return s;
  rocksdb::WriteOptions options;  // WAL on, no fsync: survives a process crash.
  if (absl::Status s = FromRocks(cfs_.db->Write(options, &write), "appending to the log");
      !s.ok()) {
    return s;
  }
  if (producers) {
    for (auto& [id, entry] : producers->updated) producers_[id] = std::move(entry);
  }
  max_timestamp_ = max_timestamp;
  if (!segments_.empty()) segments_.pop_back();
  segments_.insert(segments_.end(), tail.begin(), tail.end());
  if (!batches.empty()) {
    KeepTail(std::string_view(base_offsets.back().data(), 8), batches.back().bytes,
             last_batch_base, next);
  }
  log_end_.store(next, std::memory_order_release);
  return AppendResult{Offset(base), log_start(), Offset(next)};
}

void PartitionLog::KeepTail(std::string_view base_offset, std::string_view batch, int64_t base,
                            int64_t end) {
  std::shared_ptr<const TailBatch> kept;
  if (batch.size() <= kMaxTailBatchBytes) {
    std::string bytes(base_offset);
    bytes.append(batch.substr(8));
    kept = std::make_shared<const TailBatch>(TailBatch{base, end, std::move(bytes)});
  }
  absl::MutexLock tail_lock(&tail_mu_);
  tail_ = std::move(kept);
}

absl::StatusOr<ReadResult> PartitionLog::Read(Offset from, size_t max_bytes,
                                              bool min_one_batch) const {
  ReadResult result{{}, log_start(), log_end(), nullptr};
  auto out_of_range = [&] {
    return MakeError(ErrorCode::kOffsetOutOfRange,
                     fmt::format("offset {} is outside the log [{}, {})", from.value, result.log_start.value, result.log_end.value));
  };
  if (from < result.log_start || from > result.log_end) return out_of_range();
  if (from == result.log_end) return result;
  if (std::shared_ptr<const TailBatch> tail = Tail();
      tail && tail->end == result.log_end.value && from.value >= tail->base &&
      (min_one_batch || tail->bytes.size() <= max_bytes)) {
    result.records = tail->bytes;
    return result;
  }
  // Only batches below the log end seen above: a concurrent append is not half-read.
  // RocksDB does not check its checksums here: every batch carries its own CRC-32C, checked
  // when it came in (ValidateBatch) and whenever it is decoded (DecodeRecords: brook's client,
  // the event store, compaction, down-conversion), or by Kafka clients (check.crcs), as Kafka
  // serves its log unchecked. RocksDB's check of each blob was half of a fetch's CPU time.
  BoundedIterator it(cfs_, cfs_.log, prefix_,
                     LogKey(topic_id_, partition_.value, result.log_end.value),
                     /*verify_checksums=*/false);
  // Retention advances log_start before it deletes: if this iterator's snapshot may lack the
  // batches at `from`, the log start has moved past it by now.
  if (from < log_start()) {
    result.log_start = log_start();
    return out_of_range();
  }
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

absl::StatusOr<BatchLookup> PartitionLog::ReadBatchesEndingAt(
    std::span<const int64_t> last_offsets) const {
  BatchLookup lookup;
  std::vector<std::string>& batches = lookup.batches;
  batches.resize(last_offsets.size());
  std::vector<std::string> keys;
  std::vector<size_t> asked;  // Which of last_offsets each key is.
  keys.reserve(last_offsets.size());
  const int64_t end = log_end().value;
  for (size_t i = 0; i < last_offsets.size(); ++i) {
    if (last_offsets[i] < log_start().value || last_offsets[i] >= end) continue;
    keys.push_back(LogKey(topic_id_, partition_.value, last_offsets[i]));
    asked.push_back(i);
  }
  lookup.log_start = log_start().value;
  if (keys.empty()) return lookup;
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  rocksdb::ReadOptions options;
  options.verify_checksums = false;  // As Read: each batch's CRC-32C is checked when decoded.
  cfs_.db->MultiGet(options, cfs_.log, slices.size(), slices.data(), values.data(),
                    statuses.data());
  // As Read: retention advances the log start before it deletes, so a batch the MultiGet
  // found below the log start as it is now may be half gone; and records below the log start
  // (DeleteRecords stops inside a batch) are not the log's any more.
  lookup.log_start = log_start().value;
  for (size_t k = 0; k < keys.size(); ++k) {
    if (statuses[k].IsNotFound() || last_offsets[asked[k]] < lookup.log_start) continue;
    if (absl::Status s = FromRocks(statuses[k], "reading the log"); !s.ok()) return s;
    batches[asked[k]] = values[k].ToString();
  }
  return lookup;
}

std::shared_ptr<const PartitionLog::TailBatch> PartitionLog::Tail() const {
  absl::MutexLock lock(&tail_mu_);
  return tail_;
}

absl::StatusOr<TimestampLookup> PartitionLog::OffsetForTimestamp(TimestampMs t) const {
  const Offset end = log_end();
  Offset from = end;
  {
    BoundedIterator it(cfs_, cfs_.time_index, prefix_, upper_bound_);
    it->Seek(TimeIndexKey(topic_id_, partition_.value, t.value, 0));
    if (it->Valid()) from = Offset(TimeIndexBaseOffset(it->key().ToStringView()));
    if (absl::Status s = FromRocks(it->status(), "reading the time index"); !s.ok()) return s;
  }
  from = std::max(from, log_start());
  // The indexed batch is the first whose records reach `t`; scan it (and, should retention
  // or compaction have removed it, the batches after) for the first such record.
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

std::vector<Segment> PartitionLog::segments() const {
  absl::MutexLock lock(&mu_);
  return segments_;
}

absl::StatusOr<std::string> PartitionLog::TimeIndexDeletionEnd(int64_t new_start) const {
  BoundedIterator it(cfs_, cfs_.time_index, prefix_, upper_bound_);
  std::string newest_below;  // Entries are in offset order too (the maximum only rises).
  size_t below = 0;
  for (it->Seek(prefix_); it->Valid(); it->Next()) {
    if (TimeIndexBaseOffset(it->key().ToStringView()) >= new_start) break;
    newest_below = it->key().ToString();
    ++below;
  }
  if (absl::Status s = FromRocks(it->status(), "reading the time index"); !s.ok()) return s;
  return below > 1 ? newest_below : std::string();
}

absl::Status PartitionLog::Reclaim(rocksdb::ColumnFamilyHandle* cf, const std::string& end) const {
  rocksdb::CompactRangeOptions options;
  options.exclusive_manual_compaction = false;  // Background compactions go on meanwhile.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  const rocksdb::Slice begin(prefix_);
  const rocksdb::Slice limit(end);
  return FromRocks(cfs_.db->CompactRange(options, cf, &begin, &limit), "reclaiming disk space");
}

absl::StatusOr<RetentionResult> PartitionLog::EnforceRetention(const TopicConfig& config,
                                                               int64_t now_ms) {
  absl::MutexLock cleaner(&cleaner_mu_);
  int64_t new_start = 0;
  {
    absl::MutexLock lock(&mu_);
    const size_t count = SegmentsToDelete(segments_, config, now_ms);
    if (count == 0) return RetentionResult{partition_, log_start(), log_start()};
    new_start = segments_[count].base_offset;  // Only the cleaner removes segments: stable.
  }
  return AdvanceLogStart(new_start, /*sync=*/false);
}

absl::StatusOr<RetentionResult> PartitionLog::DeleteRecordsBefore(Offset offset) {
  absl::MutexLock cleaner(&cleaner_mu_);
  const Offset start = log_start();
  const Offset end = log_end();  // Appends only raise it: a target up to it stays valid.
  const Offset target = offset == kHighWatermark ? end : offset;
  if (target.value < 0 || target > end) {
    return MakeError(ErrorCode::kOffsetOutOfRange,
                     fmt::format("cannot delete records before offset {}: the log is [{}, {})",
                                 offset.value, start.value, end.value));
  }
  if (target <= start) return RetentionResult{partition_, start, start};
  return AdvanceLogStart(target.value, /*sync=*/true);
}

absl::StatusOr<RetentionResult> PartitionLog::AdvanceLogStart(int64_t new_start, bool sync) {
  RetentionResult result{partition_, log_start(), Offset(new_start)};
  absl::StatusOr<std::string> index_end = TimeIndexDeletionEnd(new_start);
  if (!index_end.ok()) return index_end.status();
  const std::string log_end_key = LogKey(topic_id_, partition_.value, new_start);
  rocksdb::WriteBatch write;
  write.DeleteRange(cfs_.log, prefix_, log_end_key);
  if (!index_end->empty()) write.DeleteRange(cfs_.time_index, prefix_, *index_end);
  write.Put(cfs_.meta, MetaPartitionStateKey(topic_id_, partition_.value), EncodeI64(new_start));
  {
    absl::MutexLock lock(&mu_);  // The active segment may be among those changed.
    if (deleted_) return TopicDeleted();
    const auto kept = std::find_if(segments_.begin(), segments_.end(),
                                   [&](const Segment& s) { return s.last_offset >= new_start; });
    std::optional<Segment> trimmed;
    if (kept != segments_.end() && kept->base_offset < new_start) {
      trimmed = TrimSegment(*kept, new_start);
    }
    if (kept != segments_.begin() || trimmed) {
      write.DeleteRange(cfs_.meta,
                        MetaSegmentKey(topic_id_, partition_.value, segments_.front().base_offset),
                        MetaSegmentKey(topic_id_, partition_.value, new_start));
    }
    if (trimmed) {
      write.Put(cfs_.meta, MetaSegmentKey(topic_id_, partition_.value, new_start),
                EncodeSegment(*trimmed));
    }
    // Advance before deleting, so a concurrent Read never serves a snapshot without them
    // (see Read).
    const int64_t old_start = log_start_.exchange(new_start, std::memory_order_acq_rel);
    rocksdb::WriteOptions options;
    options.sync = sync;
    if (absl::Status s = FromRocks(cfs_.db->Write(options, &write), "deleting old records");
        !s.ok()) {
      log_start_.store(old_start, std::memory_order_release);
      return s;
    }
    for (auto s = segments_.begin(); s != kept; ++s) result.bytes_freed += s->bytes;
    result.segments_deleted = kept - segments_.begin();
    if (trimmed) {
      result.bytes_freed += kept->bytes - trimmed->bytes;
      *kept = *trimmed;
    }
    segments_.erase(segments_.begin(), kept);
    absl::MutexLock tail_lock(&tail_mu_);
    if (tail_ != nullptr && tail_->end <= new_start) tail_.reset();  // Its batch is gone.
  }
  if (absl::Status s = Reclaim(cfs_.log, log_end_key); !s.ok()) return s;
  if (!index_end->empty()) {
    if (absl::Status s = Reclaim(cfs_.time_index, *index_end); !s.ok()) return s;
  }
  return result;
}

absl::StatusOr<CompactionStats> PartitionLog::Compact(const TopicConfig& config, int64_t now_ms,
                                                      const CompactionLimits& limits) {
  absl::MutexLock cleaner(&cleaner_mu_);
  return RunCompaction(*this, config, now_ms, limits);
}

CleanerView PartitionLog::cleaner_view() const {
  absl::MutexLock lock(&mu_);
  const int64_t start = log_start().value;
  CleanerView view{start, std::max(cleaned_up_to_, start), log_end().value, {}};
  for (const auto& [id, entry] : producers_) {
    view.producer_last_offsets.push_back(entry.batches.back().last_offset);
  }
  std::sort(view.producer_last_offsets.begin(), view.producer_last_offsets.end());
  return view;
}

absl::StatusOr<bool> PartitionLog::NeedsCompaction(const TopicConfig& config,
                                                   int64_t now_ms) const {
  const CleanerView view = cleaner_view();
  if (view.cleaned_up_to >= view.log_end) return false;
  double dirty = 0;
  double total = 0;
  for (const Segment& s : segments()) {
    total += static_cast<double>(s.bytes);
    if (s.last_offset < view.cleaned_up_to) continue;
    const double span = static_cast<double>(s.last_offset - s.base_offset + 1);
    const double part = static_cast<double>(s.last_offset + 1 - std::max(s.base_offset, view.cleaned_up_to));
    dirty += static_cast<double>(s.bytes) * part / span;
  }
  absl::StatusOr<ReadResult> first_dirty = Read(Offset(view.cleaned_up_to), 1, true);
  if (!first_dirty.ok()) return first_dirty.status();
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(first_dirty->records);
  if (!header.ok()) return false;  // Nothing stored past the checkpoint.
  const int64_t age = now_ms - header->max_timestamp;
  if (age < config.min_compaction_lag_ms) return false;
  return age >= config.max_compaction_lag_ms ||
         (total > 0 && dirty / total >= config.min_cleanable_dirty_ratio);
}

absl::Status PartitionLog::ApplyRewrites(std::span<const BatchRewrite> rewrites,
                                         int64_t cleaned_up_to) {
  rocksdb::WriteBatch write;
  std::map<size_t, int64_t> size_change;  // Segment index -> bytes added (negative: freed).
  absl::MutexLock lock(&mu_);
  if (deleted_) return TopicDeleted();
  for (const BatchRewrite& rewrite : rewrites) {
    bool replaced_in_place = false;
    int64_t new_bytes = 0;
    for (const std::string& batch : rewrite.replacements) {
      absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
      if (!header.ok()) return header.status();
      replaced_in_place |= header->last_offset() == rewrite.last_offset;
      new_bytes += static_cast<int64_t>(batch.size());
      write.Put(cfs_.log, LogKey(topic_id_, partition_.value, header->last_offset()), batch);
    }
    if (!replaced_in_place) {
      write.Delete(cfs_.log, LogKey(topic_id_, partition_.value, rewrite.last_offset));
    }
    auto holder = std::upper_bound(segments_.begin(), segments_.end(), rewrite.last_offset,
                                   [](int64_t offset, const Segment& s) { return offset < s.base_offset; });
    if (holder != segments_.begin()) {
      size_change[static_cast<size_t>(holder - segments_.begin() - 1)] += new_bytes - rewrite.old_bytes;
    }
  }
  std::vector<Segment> updated = segments_;
  for (const auto& [index, change] : size_change) {
    Segment& segment = updated[index];
    segment.bytes = std::max<int64_t>(0, segment.bytes + change);
    write.Put(cfs_.meta, MetaSegmentKey(topic_id_, partition_.value, segment.base_offset),
              EncodeSegment(segment));
  }
  write.Put(cfs_.meta, MetaCleanerCheckpointKey(topic_id_, partition_.value),
            EncodeCleanerCheckpoint(cleaned_up_to));
  if (absl::Status s = FromRocks(cfs_.db->Write(rocksdb::WriteOptions(), &write),
                                 "writing compacted batches");
      !s.ok()) {
    return s;
  }
  segments_ = std::move(updated);
  cleaned_up_to_ = cleaned_up_to;
  // The copy of the last batch must not outlive a rewrite of that batch. (A read that took the
  // copy before this point returns the batch as it was just before the write.)
  absl::MutexLock tail_lock(&tail_mu_);
  if (tail_ != nullptr) {
    const int64_t tail_base = tail_->base;
    if (std::any_of(rewrites.begin(), rewrites.end(),
                    [&](const BatchRewrite& r) { return r.last_offset >= tail_base; })) {
      tail_.reset();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PartitionLog::ExpireProducers(int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  if (deleted_) return TopicDeleted();
  std::vector<ProducerId> expired;
  rocksdb::WriteBatch write;
  for (const auto& [id, entry] : producers_) {
    if (!ProducerExpired(entry, now_ms, producer_expiration_ms_)) continue;
    expired.push_back(id);
    write.Delete(cfs_.meta, MetaProducerKey(topic_id_, partition_.value, id.value));
  }
  if (expired.empty()) return 0;
  if (absl::Status s = FromRocks(cfs_.db->Write(rocksdb::WriteOptions(), &write),
                                 "forgetting expired producers");
      !s.ok()) {
    return s;
  }
  for (ProducerId id : expired) producers_.erase(id);
  return static_cast<int64_t>(expired.size());
}

ProducerEntries PartitionLog::producers() const {
  absl::MutexLock lock(&mu_);
  return producers_;
}

void PartitionLog::MarkDeleted() {
  absl::MutexLock lock(&mu_);
  deleted_ = true;
}

}  // namespace brook::storage
