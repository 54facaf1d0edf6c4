#include "storage/log_compactor.h"

#include <algorithm>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "protocol/absl_compat.h"
#include "storage/batch_rewrite.h"
#include "storage/partition_log.h"

namespace brook::storage {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadBytes = 1 << 20;     // Bytes of log fetched per read.
constexpr size_t kKeyEntryOverhead = 48;   // Map memory per key beyond its bytes.

// Keeps the bytes read + written under a rate by sleeping; polls the cancel flag.
class Throttle {
 public:
  explicit Throttle(const CompactionLimits& limits) : limits_(limits) {}

  // Accounts `bytes` of I/O and sleeps until the rate allows more. Returns false once
  // cancelled.
  bool Spend(int64_t bytes) {
    spent_ += bytes;
    if (limits_.bytes_per_second > 0) {
      const auto due = start_ + std::chrono::microseconds(spent_ * 1'000'000 / limits_.bytes_per_second);
      while (Clock::now() < due && !cancelled()) {
        std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(50)));
      }
    }
    return !cancelled();
  }
  bool cancelled() const { return limits_.cancel != nullptr && limits_.cancel->load(); }

 private:
  const CompactionLimits& limits_;
  const Clock::time_point start_ = Clock::now();
  int64_t spent_ = 0;
};

// Key -> offset of its latest record in the mapped range.
using KeyMap = absl::flat_hash_map<std::string, int64_t>;

// Calls fn(batch, header, records) for each stored batch from `from` until fn returns false
// or the log ends. Returns false when cancelled first, true otherwise; or fn's error.
template <typename Fn>
absl::StatusOr<bool> ForEachBatch(PartitionLog& log, int64_t from, Throttle& throttle,
                                  CompactionStats& stats, Fn&& fn) {
  while (from < log.log_end().value) {
    absl::StatusOr<ReadResult> read = log.Read(Offset(from), kReadBytes);
    if (!read.ok()) return read.status();
    if (read->records.empty()) return true;
    absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(read->records);
    if (!batches.ok()) return batches.status();
    for (std::string_view batch : *batches) {
      absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
      if (!header.ok()) return header.status();
      std::string scratch;
      std::vector<RecordView> records;
      if (absl::Status s = DecodeRecords(batch, &scratch, &records); !s.ok()) return s;
      stats.bytes_read += static_cast<int64_t>(batch.size());
      absl::StatusOr<bool> more = fn(batch, *header, records);
      if (!more.ok()) return more.status();
      if (!*more) return true;
      if (!throttle.Spend(static_cast<int64_t>(batch.size()))) return false;
      from = header->last_offset() + 1;
    }
  }
  return true;
}

// Pass 1: maps the dirty part from view.cleaned_up_to; returns the end of the cleanable range.
absl::StatusOr<int64_t> BuildKeyMap(PartitionLog& log, const CleanerView& view,
                                    const TopicConfig& config, int64_t now_ms,
                                    const CompactionLimits& limits, Throttle& throttle,
                                    CompactionStats& stats, KeyMap& map) {
  const int64_t newest_cleanable = now_ms - config.min_compaction_lag_ms;
  int64_t end = view.cleaned_up_to;
  size_t map_bytes = 0;
  absl::StatusOr<bool> done = ForEachBatch(
      log, view.cleaned_up_to, throttle, stats,
      [&](std::string_view, const BatchHeader& header,
          const std::vector<RecordView>& records) -> absl::StatusOr<bool> {
        if (header.base_offset >= view.log_end) return false;  // Appended meanwhile.
        size_t added = 0;
        for (const RecordView& r : records) {
          if (r.timestamp > newest_cleanable) return false;
          if (r.key && !map.contains(ToAbsl(*r.key))) added += r.key->size() + kKeyEntryOverhead;
        }
        if (end > view.cleaned_up_to && map_bytes + added > limits.max_key_map_bytes) return false;
        map_bytes += added;
        for (const RecordView& r : records) {
          if (r.key) map.insert_or_assign(std::string(*r.key), r.offset);
        }
        end = header.last_offset() + 1;
        return true;
      });
  if (!done.ok()) return done.status();
  return end;
}

// Pass 2's verdict on one batch's records: keep[i] says whether records[i] stays. A record
// stays iff it has no key or is its key's latest in the map, and, as a tombstone, is newer
// than `tombstone_horizon`. Pinned records stay whatever: the log's last record (consumers
// only move past offsets they receive, so the log must end with a record) and the last record
// of a tracked producer's newest batch (Kafka's cleaner keeps a producer's last batch).
std::vector<bool> ChooseKept(const BatchHeader& header, const std::vector<RecordView>& records,
                             const KeyMap& map, const CleanerView& view,
                             int64_t tombstone_horizon, CompactionStats& stats) {
  const bool ends_producer = std::binary_search(
      view.producer_last_offsets.begin(), view.producer_last_offsets.end(), header.last_offset());
  std::vector<bool> keep(records.size(), true);
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordView& r = records[i];
    const bool pinned = r.offset == view.log_end - 1 || (ends_producer && i + 1 == records.size());
    if (pinned) continue;
    if (r.key) {
      auto latest = map.find(ToAbsl(*r.key));
      keep[i] = latest == map.end() || latest->second <= r.offset;
    }
    if (keep[i] && !r.value && r.timestamp < tombstone_horizon) {
      keep[i] = false;
      ++stats.tombstones_removed;
    }
  }
  return keep;
}

}  // namespace

CompactionStats& CompactionStats::operator+=(const CompactionStats& other) {
  bytes_read += other.bytes_read;
  bytes_written += other.bytes_written;
  records_kept += other.records_kept;
  records_removed += other.records_removed;
  tombstones_removed += other.tombstones_removed;
  batches_rewritten += other.batches_rewritten;
  batches_deleted += other.batches_deleted;
  chunks_written += other.chunks_written;
  cleaned_up_to = std::max(cleaned_up_to, other.cleaned_up_to);
  finished = finished && other.finished;
  duration += other.duration;
  return *this;
}

absl::StatusOr<CompactionStats> RunCompaction(PartitionLog& log, const TopicConfig& config,
                                              int64_t now_ms, const CompactionLimits& limits) {
  const Clock::time_point started = Clock::now();
  const CleanerView view = log.cleaner_view();
  CompactionStats stats;
  stats.cleaned_up_to = Offset(view.cleaned_up_to);
  Throttle throttle(limits);
  KeyMap map;
  absl::StatusOr<int64_t> end =
      BuildKeyMap(log, view, config, now_ms, limits, throttle, stats, map);
  if (!end.ok()) return end.status();
  if (throttle.cancelled()) return stats;

  // Pass 2: rewrite [log_start, end) against the map, in chunks.
  const int64_t tombstone_horizon = now_ms - config.delete_retention_ms;
  std::vector<BatchRewrite> chunk;
  size_t chunk_examined = 0;
  bool stopped = false;
  auto write_chunk = [&](int64_t next) -> absl::Status {
    const int64_t checkpoint = std::max(view.cleaned_up_to, next);
    if (absl::Status s = log.ApplyRewrites(chunk, checkpoint); !s.ok()) return s;
    for (const BatchRewrite& rewrite : chunk) {
      for (const std::string& batch : rewrite.replacements) {
        stats.bytes_written += static_cast<int64_t>(batch.size());
      }
    }
    stats.cleaned_up_to = Offset(checkpoint);
    ++stats.chunks_written;
    chunk.clear();
    chunk_examined = 0;
    stopped = stats.chunks_written == limits.stop_after_chunks;
    return absl::OkStatus();
  };
  absl::StatusOr<bool> done = ForEachBatch(
      log, view.log_start, throttle, stats,
      [&](std::string_view batch, const BatchHeader& header,
          const std::vector<RecordView>& records) -> absl::StatusOr<bool> {
        if (header.base_offset >= *end) return false;
        const std::vector<bool> keep = ChooseKept(header, records, map, view, tombstone_horizon, stats);
        const auto kept = static_cast<size_t>(std::count(keep.begin(), keep.end(), true));
        stats.records_kept += static_cast<int64_t>(kept);
        stats.records_removed += static_cast<int64_t>(records.size() - kept);
        if (kept < records.size()) {
          absl::StatusOr<std::vector<std::string>> replacements = KeepRecords(batch, records, keep);
          if (!replacements.ok()) return replacements.status();
          ++(replacements->empty() ? stats.batches_deleted : stats.batches_rewritten);
          chunk.push_back(BatchRewrite{header.last_offset(), static_cast<int64_t>(batch.size()),
                                       *std::move(replacements)});
        }
        chunk_examined += batch.size();
        if (chunk_examined >= limits.chunk_bytes) {
          if (absl::Status s = write_chunk(header.last_offset() + 1); !s.ok()) return s;
          if (stopped) return false;
        }
        return true;
      });
  if (!done.ok()) return done.status();
  stats.finished = *done && !stopped && !throttle.cancelled();
  if (stats.finished) {
    if (absl::Status s = write_chunk(*end); !s.ok()) return s;
  }
  stats.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  return stats;
}

}  // namespace brook::storage
