// storage/batch_rewrite.h: rewrites a stored batch keeping only some of its records, for log
// compaction.
//
// Offsets never change, and protocol/'s RecordBatch v2 decoder (like brook's producers)
// requires a batch's records to have the offset deltas 0..n-1 with lastOffsetDelta = n-1.
// So instead of leaving gaps inside a batch, the kept records are split into runs of
// consecutive offsets; each run becomes its own standard batch whose baseOffset is the run's
// first offset. A fully kept batch needs no rewrite; a batch with no kept record vanishes.
// The new batches use the original's compression and carry each record's timestamp, key,
// value and headers, and the original's producer id and epoch with their own base sequence
// (the sequence of their first record: the original's base sequence + its offset delta), so
// an idempotent producer's records keep their sequences; partitionLeaderEpoch becomes -1.
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/record_batch.h"
#include "protocol/types.h"

namespace brook::storage {

// Returns the batches replacing `batch` (in offset order; empty if nothing is kept).
// `records` are the batch's decoded records and keep[i] says whether records[i] stays.
// REQUIRES: keep.size() == records.size(). Errors: CORRUPT_MESSAGE when the header is bad.
absl::StatusOr<std::vector<std::string>> KeepRecords(std::string_view batch,
                                                     std::span<const RecordView> records,
                                                     const std::vector<bool>& keep);

}  // namespace brook::storage
