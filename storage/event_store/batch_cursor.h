// storage/event_store/batch_cursor.h: reads a store topic's events by (partition, offset),
// for one read of the event store (a stream, or a page of $all).
//
//   BatchCursor cursor(log, "events", ReadAhead::kNone);
//   absl::StatusOr<std::optional<Event>> event = cursor.At(partition, offset);
//   absl::StatusOr<std::optional<int64_t>> last = cursor.CopyBatchOnce(partition, offset, &out);
//
// Operation: each partition keeps the chunk of its log read last (whole batches), so the
// events of an append, and of the appends after it in that partition, are read from the log
// once. A chunk is one batch, unless the cursor reads ahead (ReadAhead::kSequential) and it
// starts where the partition's last chunk ended: then up to 256 KiB. So $all, which reads
// every batch of each partition in turn, reads ahead; a stream's read (kNone) reads only its
// own batches, even where one of them lies next to the one before (then the batches after it
// are most likely other streams'). A chunk's batches are decoded only when an event is taken
// from them.
// Thread-safety: one cursor per read, on one thread. It borrows the LogStore.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/record_batch.h"
#include "storage/event_store/event_record.h"
#include "storage/log_store.h"

namespace brook::storage::events {

// Whether a cursor reads on past the batch it needs when reading a partition in order.
enum class ReadAhead { kNone, kSequential };

class BatchCursor {
 public:
  BatchCursor(const LogStore& log, std::string_view topic, ReadAhead read_ahead)
      : log_(log), topic_(topic), read_ahead_(read_ahead) {}

  // The event at (partition, offset); nullopt when the log no longer holds it (retention).
  // Errors: STORAGE_ERROR; DataLoss / CORRUPT_MESSAGE for a record that is no event.
  absl::StatusOr<std::optional<Event>> At(int32_t partition, int64_t offset);
  // Appends the batch holding (partition, offset) to *out as stored (undecoded, unchecked),
  // unless it is the batch this cursor copied last; returns the batch's last offset, nullopt
  // when the log no longer holds it. Errors: STORAGE_ERROR; CORRUPT_MESSAGE for a batch
  // header that does not parse.
  absl::StatusOr<std::optional<int64_t>> CopyBatchOnce(int32_t partition, int64_t offset,
                                                       std::string* out);
  // Reads, by point lookups in one MultiGet, the batches of `partition` that end at
  // `last_offsets` (an index's runs), for the calls above that follow: a stream whose appends
  // lie far apart then costs one lookup each instead of one log seek each. Offsets where no
  // batch ends are passed over (those events are read as before). Returns the bytes read.
  // Errors: STORAGE_ERROR.
  absl::StatusOr<size_t> Prefetch(int32_t partition, std::span<const int64_t> last_offsets);

 private:
  // One batch of a chunk; its records (views of the chunk, or of `scratch` when compressed)
  // are decoded on first use.
  struct Batch {
    std::string_view bytes;
    int64_t base = 0;
    int64_t last = 0;
    bool decoded = false;
    std::string scratch;
    std::vector<RecordView> records;
  };
  struct Chunk {
    int64_t end = -1;  // One past the last offset loaded last.
    std::string bytes;
    std::vector<Batch> batches;  // Never grows once loaded: the views stay valid.

    bool Holds(int64_t offset) const {
      return !batches.empty() && offset >= batches.front().base && offset <= batches.back().last;
    }
  };

  // The batch of `partition`'s chunk that holds `offset` (reading the chunk if need be), or
  // null when the log no longer holds it (retention, compaction). Errors: as Load's but
  // OFFSET_OUT_OF_RANGE.
  absl::StatusOr<Batch*> BatchHolding(int32_t partition, int64_t offset);
  // Reads the chunk starting with the batch holding `offset`, from what Prefetch read when it
  // holds it. Errors: OFFSET_OUT_OF_RANGE (retention removed it, or past the log end);
  // STORAGE_ERROR; CORRUPT_MESSAGE.
  absl::Status Load(int32_t partition, int64_t offset, Chunk& chunk);
  // Makes `bytes` (whole batches) the chunk. Errors: CORRUPT_MESSAGE.
  static absl::Status SetChunk(std::string bytes, Chunk& chunk);
  // The record at `offset` of a batch holding it, or null (compaction removed it).
  // Errors: CORRUPT_MESSAGE.
  static absl::StatusOr<const RecordView*> Find(Batch& batch, int64_t offset);

  const LogStore& log_;
  const std::string_view topic_;
  const ReadAhead read_ahead_;
  std::map<int32_t, Chunk> chunks_;  // Node-based: a Chunk's views stay valid.
  // What Prefetch read: (partition, the batch's last offset) -> the batch; and the log start
  // of each partition as its lookup saw it.
  std::map<std::pair<int32_t, int64_t>, std::string> prefetched_;
  std::map<int32_t, int64_t> prefetched_log_start_;
  // The batch CopyBatchOnce copied last.
  int32_t copied_partition_ = -1;
  int64_t copied_base_ = -1;
};

}  // namespace brook::storage::events
