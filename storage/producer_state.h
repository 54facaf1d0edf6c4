// storage/producer_state.h: idempotent producers' state on one partition (Kafka's rules), and
// its persisted encoding.
//
// An idempotent producer (brook's own producer by default, a Kafka client with
// enable.idempotence; others' batches carry producer id -1) gets a producer id and epoch from
// the broker (LogStore::InitProducerId) and numbers its records per partition: a batch
// carries (producer id, epoch, base sequence) and its records have the sequences base,
// base + 1, ... (wrapping to 0 after INT32_MAX). For each producer that appended to a
// partition, the partition keeps a ProducerEntry: the epoch, when the producer last appended,
// and the metadata of its last kProducerBatchesToRetain batches. A new batch is:
//   - a duplicate (a retry of a batch that was appended) when it has the entry's epoch and
//     the first and last sequence of a retained batch: it is not appended again, and the
//     original's offsets are the answer;
//   - fenced (INVALID_PRODUCER_EPOCH) when its epoch is below the entry's;
//   - with a higher epoch (the producer was restarted, or bumped its epoch after an error):
//     accepted only at sequence 0 (else OUT_OF_ORDER_SEQUENCE_NUMBER), and the entry starts
//     afresh;
//   - with the entry's epoch: accepted only if its first sequence follows the newest
//     retained batch's last (else OUT_OF_ORDER_SEQUENCE_NUMBER; so is a retry older than the
//     retained batches, as in Kafka);
//   - from an unknown producer (no entry, or one that expired): accepted at any sequence (as
//     Kafka does since KIP-360).
// An entry expires after producer.id.expiration.ms without an append (StoreOptions).
//
// Persisted value (meta key 'Q' | topic id | partition | producer id, docs/storage.md):
//   version i8 (=1) | epoch i16 | last_append_ms i64 | count i8 (1..5) |
//   count times (first_sequence i32 | last_sequence i32 | base_offset i64 | last_offset i64 |
//                max_timestamp i64), oldest first.
// Plain values and pure functions; thread-compatible. PartitionLog owns a partition's entries
// and guards them with its append mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "protocol/record_batch.h"
#include "protocol/types.h"

namespace brook::storage {

// Kafka's NUM_BATCHES_TO_RETAIN: a producer has at most 5 requests in flight per partition.
inline constexpr size_t kProducerBatchesToRetain = 5;

// A producer id freshly handed out by LogStore::InitProducerId, with its epoch.
struct ProducerIdAndEpoch {
  ProducerId producer_id;
  ProducerEpoch epoch;
};

// What is remembered of one appended batch.
struct ProducerBatch {
  int32_t first_sequence = 0;
  int32_t last_sequence = 0;
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t max_timestamp = 0;  // The largest record timestamp in the batch.
  friend bool operator==(const ProducerBatch&, const ProducerBatch&) = default;
};

struct ProducerEntry {
  ProducerEpoch epoch;
  int64_t last_append_ms = 0;         // The store's clock at its last append.
  std::vector<ProducerBatch> batches; // Its last 1 to 5 batches, oldest first.
  friend bool operator==(const ProducerEntry&, const ProducerEntry&) = default;
};

using ProducerEntries = absl::flat_hash_map<ProducerId, ProducerEntry>;

// Whether `entry` has expired at `now_ms`: no append for `expiration_ms` or more.
bool ProducerExpired(const ProducerEntry& entry, int64_t now_ms, int64_t expiration_ms);

// Checks a batch of a producer against its entry (nullptr: unknown producer), by the rules
// above. Returns the retained batch it duplicates, or nullopt when it may be appended.
// REQUIRES: header.producer_id >= 0. Errors: INVALID_RECORD (a negative epoch or base
// sequence), INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER.
absl::StatusOr<std::optional<ProducerBatch>> CheckProducerBatch(const ProducerEntry* entry,
                                                                const BatchHeader& header);

// Records that a batch with `epoch` was appended at `now_ms`: a new epoch forgets the older
// batches; only the newest kProducerBatchesToRetain are kept.
void AddProducerBatch(ProducerEntry& entry, ProducerEpoch epoch, const ProducerBatch& batch,
                      int64_t now_ms);

std::string EncodeProducerEntry(const ProducerEntry& entry);
// Errors: DataLoss when `value` is not a version-1 entry with 1 to 5 batches.
absl::StatusOr<ProducerEntry> DecodeProducerEntry(std::string_view value);

// What appending one record set does to the producers' state: the batches are checked in
// order, each against its producer's entry as the earlier batches of the set left it.
//
//   ProducerAppendPlan plan(entries, now_ms, expiration_ms);
//   for each batch: plan.Add(summary, its base offset);   // stop at the first error
//   absl::StatusOr<ProducerAppendPlan::Result> result = std::move(plan).Finish();
class ProducerAppendPlan {
 public:
  struct Result {
    // The new entries of the producers whose batches are appended.
    std::vector<std::pair<ProducerId, ProducerEntry>> updated;
    // Set when every batch duplicates a retained one (nothing is appended): the first's
    // original.
    std::optional<ProducerBatch> duplicate_of;
  };

  // `entries` must outlive the plan.
  ProducerAppendPlan(const ProducerEntries& entries, int64_t now_ms, int64_t expiration_ms)
      : entries_(entries), now_ms_(now_ms), expiration_ms_(expiration_ms) {}

  // Checks the next batch, which would be appended at `base_offset` (batches without a
  // producer id pass). Errors: those of CheckProducerBatch.
  absl::Status Add(const BatchSummary& batch, int64_t base_offset);
  // Errors: DUPLICATE_SEQUENCE_NUMBER when some batches duplicate retained ones and others
  // do not (a record set is appended whole or not at all).
  absl::StatusOr<Result> Finish() &&;

 private:
  // The producer's entry as the batches added so far leave it; nullptr if unknown or expired.
  const ProducerEntry* Current(ProducerId id) const;

  const ProducerEntries& entries_;
  const int64_t now_ms_;
  const int64_t expiration_ms_;
  Result result_;
  size_t duplicates_ = 0;
  size_t fresh_ = 0;
};

}  // namespace brook::storage
