// client/idempotence.h: an idempotent Producer's bookkeeping, without I/O: its producer id
// (ProducerIds), the sequences each partition stamps its batches with (PartitionSequence), and
// what a failed batch means for them (Classify).
//
// Internal to client/; RecordAccumulator drives it. The rules follow Kafka's idempotent
// producer (the broker's side is docs/storage.md, "Idempotent producers"):
//   - Before its first batch the producer gets an id and epoch from the broker
//     (InitProducerId). Each partition numbers its records 0, 1, 2, ... under that id.
//   - A batch is stamped (id, epoch, first sequence) when it is first sent and keeps its stamp
//     on every retry, so the broker answers a retry of a batch it appended with the original
//     offsets and appends nothing. A retried batch is sent alone in its partition's record set
//     (the broker refuses a record set that mixes retries with new batches), and only while no
//     batch of its partition is in flight, so batches land in sequence order. At most
//     kMaxInFlightBatches of a partition are in flight (the broker remembers that many), and
//     only one until the partition's first batch under an id is acknowledged: the broker
//     accepts a producer it does not know at any sequence, so a later batch must not arrive
//     first should the first one fail.
//   - A partition's sequence is *broken* when one of its stamped batches fails for good (its
//     records refused, timed out, fenced): the broker would refuse every later batch with
//     OUT_OF_ORDER_SEQUENCE_NUMBER. The partition then moves to a newer producer id and
//     starts again at 0, but only once none of its batches is in flight and none whose last
//     attempt got no answer (it may be in the log) waits for a retry: no batch is ever sent
//     under two ids, which could append it twice. Batches the broker refused under the old id
//     are stamped anew. UNKNOWN_PRODUCER_ID (the broker forgot the producer) moves the
//     partition to a new id the same way, and its batch is retried, not failed.
//
// Thread-compatible: the caller serializes all calls (RecordAccumulator's mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/error_codes.h"
#include "protocol/record_batch.h"
#include "protocol/types.h"

namespace brook::client {

// Batches of one partition in flight at once: the broker remembers a producer's last 5
// batches per partition, so a retry of any batch in flight is recognised.
inline constexpr int kMaxInFlightBatches = 5;

// A producer id and epoch from InitProducerId.
struct ProducerIdentity {
  ProducerId id;
  ProducerEpoch epoch;
  friend bool operator==(const ProducerIdentity&, const ProducerIdentity&) = default;
};

// The producer's current id and the InitProducerId requests that renew it.
class ProducerIds {
 public:
  using Clock = std::chrono::steady_clock;

  // The newest id, or nullopt before the first answer.
  const std::optional<ProducerIdentity>& current() const { return current_; }
  // A partition needs an id newer than its own: asks for one unless a request is already in
  // flight (its answer will be newer) or fatal() is set. Returns true when that makes a request
  // wanted (the sender should be woken).
  bool Want();
  // A request is wanted and not yet taken.
  bool wanted() const { return wanted_; }
  // True (once per request) when InitProducerId should be sent now; otherwise, when a request
  // waits for its backoff, lowers *wake to its time.
  bool TakeRequest(Clock::time_point now, Clock::time_point* wake);
  // The request's answer. A retriable error asks again at `retry_at`; any other error is
  // fatal(): the batches waiting for an id fail with it.
  void OnAnswer(absl::StatusOr<ProducerIdentity> answer, Clock::time_point retry_at);
  // Failed requests since the last success (for the backoff).
  int32_t attempts() const { return attempts_; }
  const absl::Status& fatal() const { return fatal_; }

 private:
  std::optional<ProducerIdentity> current_;
  bool wanted_ = false;
  bool in_flight_ = false;
  Clock::time_point retry_at_{};
  int32_t attempts_ = 0;
  absl::Status fatal_;
};

// One partition's sequences.
class PartitionSequence {
 public:
  enum class Gate {
    kOpen,       // New stamps may be taken (Next).
    kWait,       // Broken: waiting for batches in flight or that may be in the log.
    kNeedNewId,  // Waiting for a producer id newer than the partition's (ProducerIds::Want).
  };
  // Whether the partition may stamp batches now. A partition without an id, or a broken one
  // that is `settled` (nothing in flight, nothing that may be in the log waiting for a retry),
  // adopts `current` if it is newer than its own id, and starts at sequence 0.
  Gate Prepare(const std::optional<ProducerIdentity>& current, bool settled);
  // The stamp of the next batch, of `records` records. REQUIRES: Prepare returned kOpen.
  ProducerStamp Next(int32_t records);
  // Whether `stamp` was taken under the partition's current id.
  bool Holds(const ProducerStamp& stamp) const;
  // A batch stamped `stamp` succeeded.
  void Acknowledged(const ProducerStamp& stamp);
  // How many batches of the partition may be in flight.
  int in_flight_limit() const { return acknowledged_ ? kMaxInFlightBatches : 1; }
  // A stamped batch failed for good, or the broker forgot the producer: the partition needs a
  // new id.
  void Break() { broken_ = true; }
  bool broken() const { return broken_; }

 private:
  std::optional<ProducerIdentity> identity_;
  int32_t next_ = 0;
  bool acknowledged_ = false;  // A batch under identity_ succeeded.
  bool broken_ = false;
};

// What a stamped batch's error means.
enum class Verdict {
  kRetryAsStamped,  // Retriable, outcome unknown (it may be in the log): retry, same stamp.
  kRetryRefused,    // Refused, nothing appended, because an earlier batch is missing: retry.
  kRetryUnderNewId, // UNKNOWN_PRODUCER_ID: break the sequence; retry under a new id.
  kFail,            // Fail the records; the sequence breaks.
};
// `first_pending`: every earlier batch of the partition succeeded (none is in flight, waiting
// or failed), so an OUT_OF_ORDER_SEQUENCE_NUMBER cannot be explained by them: the broker's
// state and the producer's disagree, and the batch fails.
Verdict Classify(ErrorCode code, bool first_pending, const PartitionSequence& sequence);

// The error given to the callbacks of a stamped batch that fails with `error`: says what the
// idempotent producer's error means for the records (they were not appended) and what
// happens next.
absl::Status IdempotenceError(const absl::Status& error, const ProducerStamp& stamp,
                              std::string_view topic, int32_t partition);

}  // namespace brook::client
