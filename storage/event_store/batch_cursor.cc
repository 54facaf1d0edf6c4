#include "storage/event_store/batch_cursor.h"

#include <algorithm>

#include "protocol/error_codes.h"

namespace brook::storage::events {
namespace {

// How much of a partition's log a cursor reads at once when it reads on sequentially.
constexpr size_t kChunkBytes = 256 << 10;

}  // namespace

absl::StatusOr<std::optional<Event>> BatchCursor::At(int32_t partition, int64_t offset) {
  absl::StatusOr<Batch*> batch = BatchHolding(partition, offset);
  if (!batch.ok()) return batch.status();
  if (*batch == nullptr) return std::nullopt;
  absl::StatusOr<const RecordView*> record = Find(**batch, offset);
  if (!record.ok()) return record.status();
  if (*record == nullptr) return std::nullopt;
  absl::StatusOr<Event> event = DecodeEvent(**record);
  if (!event.ok()) return event.status();
  return *std::move(event);
}

absl::StatusOr<std::optional<int64_t>> BatchCursor::CopyBatchOnce(int32_t partition,
                                                                   int64_t offset,
                                                                   std::string* out) {
  absl::StatusOr<Batch*> batch = BatchHolding(partition, offset);
  if (!batch.ok()) return batch.status();
  if (*batch == nullptr) return std::nullopt;
  if (partition != copied_partition_ || (*batch)->base != copied_base_) {
    out->append((*batch)->bytes);
    copied_partition_ = partition;
    copied_base_ = (*batch)->base;
  }
  return (*batch)->last;
}

absl::StatusOr<BatchCursor::Batch*> BatchCursor::BatchHolding(int32_t partition, int64_t offset) {
  Chunk& chunk = chunks_[partition];
  if (!chunk.Holds(offset)) {
    if (absl::Status s = Load(partition, offset, chunk); !s.ok()) {
      if (CodeOf(s) == ErrorCode::kOffsetOutOfRange) return nullptr;
      return s;
    }
  }
  auto batch = std::lower_bound(chunk.batches.begin(), chunk.batches.end(), offset,
                                [](const Batch& b, int64_t o) { return b.last < o; });
  if (batch == chunk.batches.end() || batch->base > offset) return nullptr;
  return &*batch;
}

absl::StatusOr<size_t> BatchCursor::Prefetch(int32_t partition,
                                              std::span<const int64_t> last_offsets) {
  absl::StatusOr<BatchLookup> lookup =
      log_.ReadBatchesEndingAt(topic_, PartitionId(partition), last_offsets);
  if (!lookup.ok()) return lookup.status();
  prefetched_log_start_[partition] = lookup->log_start;
  size_t bytes = 0;
  for (size_t i = 0; i < last_offsets.size(); ++i) {
    if (!lookup->batches[i].empty()) {
      bytes += lookup->batches[i].size();
      prefetched_[{partition, last_offsets[i]}] = std::move(lookup->batches[i]);
    }
  }
  return bytes;
}

absl::Status BatchCursor::Load(int32_t partition, int64_t offset, Chunk& chunk) {
  // The first prefetched batch of the partition ending at or after `offset`, if it holds it.
  // Its records below the log start as the lookup saw it are gone, as Read would say.
  auto prefetched = prefetched_.lower_bound({partition, offset});
  if (prefetched != prefetched_.end() && prefetched->first.first == partition) {
    if (offset < prefetched_log_start_[partition]) {
      return MakeError(ErrorCode::kOffsetOutOfRange, "below the log start");
    }
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(prefetched->second);
    if (header.ok() && header->base_offset <= offset) {
      std::string bytes = std::move(prefetched->second);
      prefetched_.erase(prefetched);
      return SetChunk(std::move(bytes), chunk);
    }
  }
  const bool sequential = read_ahead_ == ReadAhead::kSequential && offset == chunk.end;
  const size_t bytes = sequential ? kChunkBytes : 0;  // 0: one batch.
  absl::StatusOr<ReadResult> read =
      log_.Read(topic_, PartitionId(partition), Offset(offset), bytes, /*min_one_batch=*/true);
  if (!read.ok()) return read.status();
  return SetChunk(std::move(read->records), chunk);
}

absl::Status BatchCursor::SetChunk(std::string bytes, Chunk& chunk) {
  chunk.batches.clear();
  chunk.bytes = std::move(bytes);
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(chunk.bytes);
  if (!batches.ok()) return batches.status();
  if (batches->empty()) return MakeError(ErrorCode::kOffsetOutOfRange, "past the log end");
  chunk.batches.resize(batches->size());
  for (size_t i = 0; i < batches->size(); ++i) {
    absl::StatusOr<BatchHeader> header = ParseBatchHeader((*batches)[i]);
    if (!header.ok()) return header.status();
    chunk.batches[i].bytes = (*batches)[i];
    chunk.batches[i].base = header->base_offset;
    chunk.batches[i].last = header->last_offset();
  }
  chunk.end = chunk.batches.back().last + 1;
  return absl::OkStatus();
}

absl::StatusOr<const RecordView*> BatchCursor::Find(Batch& batch, int64_t offset) {
  if (!batch.decoded) {
    if (absl::Status s = DecodeRecords(batch.bytes, &batch.scratch, &batch.records); !s.ok()) {
      return s;
    }
    batch.decoded = true;
  }
  auto record = std::lower_bound(batch.records.begin(), batch.records.end(), offset,
                                 [](const RecordView& r, int64_t o) { return r.offset < o; });
  if (record == batch.records.end() || record->offset != offset) return nullptr;
  return &*record;
}

}  // namespace brook::storage::events
