#include "client/idempotence.h"

#include <algorithm>

#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::client {

bool ProducerIds::Want() {
  if (wanted_ || in_flight_ || !fatal_.ok()) return false;
  wanted_ = true;
  return true;
}

bool ProducerIds::TakeRequest(Clock::time_point now, Clock::time_point* wake) {
  if (!wanted_ || in_flight_) return false;
  if (retry_at_ > now) {
    *wake = std::min(*wake, retry_at_);
    return false;
  }
  wanted_ = false;
  in_flight_ = true;
  return true;
}

void ProducerIds::OnAnswer(absl::StatusOr<ProducerIdentity> answer, Clock::time_point retry_at) {
  in_flight_ = false;
  if (answer.ok()) {
    current_ = *answer;
    attempts_ = 0;
    return;
  }
  ++attempts_;
  if (!IsRetriable(CodeOf(answer.status()))) {
    fatal_ = MakeError(CodeOf(answer.status()),
                       fmt::format("the idempotent producer cannot get a producer id: {}",
                                   MessageOf(answer.status())));
    return;
  }
  wanted_ = true;
  retry_at_ = retry_at;
}

PartitionSequence::Gate PartitionSequence::Prepare(const std::optional<ProducerIdentity>& current,
                                                   bool settled) {
  if (identity_ && !broken_) return Gate::kOpen;
  if (identity_ && !settled) return Gate::kWait;
  if (!current || (identity_ && current->id == identity_->id)) return Gate::kNeedNewId;
  identity_ = current;
  next_ = 0;
  acknowledged_ = false;
  broken_ = false;
  return Gate::kOpen;
}

ProducerStamp PartitionSequence::Next(int32_t records) {
  const ProducerStamp stamp{identity_->id, identity_->epoch, next_};
  next_ = IncrementSequence(next_, records);
  return stamp;
}

bool PartitionSequence::Holds(const ProducerStamp& stamp) const {
  return identity_ && stamp.producer_id == identity_->id && stamp.epoch == identity_->epoch;
}

void PartitionSequence::Acknowledged(const ProducerStamp& stamp) {
  acknowledged_ |= Holds(stamp);
}

Verdict Classify(ErrorCode code, bool first_pending, const PartitionSequence& sequence) {
  switch (code) {
    case ErrorCode::kOutOfOrderSequenceNumber:
      return first_pending && !sequence.broken() ? Verdict::kFail : Verdict::kRetryRefused;
    case ErrorCode::kUnknownProducerId:
      return Verdict::kRetryUnderNewId;
    default:
      return IsRetriable(code) ? Verdict::kRetryAsStamped : Verdict::kFail;
  }
}

absl::Status IdempotenceError(const absl::Status& error, const ProducerStamp& stamp,
                              std::string_view topic, int32_t partition) {
  std::string_view what;
  switch (CodeOf(error)) {
    case ErrorCode::kOutOfOrderSequenceNumber:
      what = "the broker's record of this producer on the partition does not match its own";
      break;
    case ErrorCode::kInvalidProducerEpoch:
      what = "the producer id was fenced: a newer epoch of it wrote to the partition";
      break;
    case ErrorCode::kDuplicateSequenceNumber:
      what = "a record set mixed retried and new batches";
      break;
    default:
      return error;
  }
  return MakeError(
      CodeOf(error),
      fmt::format("{}-{} refused the batch of idempotent producer {} (epoch {}) at sequence {}: "
                  "{} ({}). Its records were not appended; the partition's later records go "
                  "under a new producer id",
                  topic, partition, stamp.producer_id.value, stamp.epoch.value,
                  stamp.base_sequence, what, MessageOf(error)));
}

}  // namespace brook::client
