// Tests of client/idempotence.h: the idempotent producer's sequence bookkeeping, without I/O.
#include "client/idempotence.h"

#include <doctest/doctest.h>

#include <chrono>

#include "protocol/absl_compat.h"

namespace brook::client {
namespace {

using Gate = PartitionSequence::Gate;
using std::chrono::milliseconds;

const ProducerIdentity kA{ProducerId(7), ProducerEpoch(0)};
const ProducerIdentity kB{ProducerId(8), ProducerEpoch(0)};

TEST_CASE("a partition stamps consecutive sequences from 0 under the producer's id") {
  PartitionSequence sequence;
  CHECK(sequence.Prepare(std::nullopt, true) == Gate::kNeedNewId);
  REQUIRE(sequence.Prepare(kA, true) == Gate::kOpen);
  const ProducerStamp first = sequence.Next(3);
  CHECK(first == ProducerStamp{ProducerId(7), ProducerEpoch(0), 0});
  CHECK(sequence.Next(2).base_sequence == 3);
  CHECK(sequence.Next(1).base_sequence == 5);
  CHECK(sequence.Holds(first));
  CHECK_FALSE(sequence.Holds(ProducerStamp()));
  CHECK_FALSE(sequence.Holds({ProducerId(7), ProducerEpoch(1), 0}));
}

TEST_CASE("sequences wrap to 0 after INT32_MAX") {
  PartitionSequence sequence;
  REQUIRE(sequence.Prepare(kA, true) == Gate::kOpen);
  CHECK(sequence.Next(INT32_MAX).base_sequence == 0);
  CHECK(sequence.Next(2).base_sequence == INT32_MAX);
  CHECK(sequence.Next(1).base_sequence == 1);
}

TEST_CASE("one batch is in flight until the first is acknowledged, then five") {
  PartitionSequence sequence;
  REQUIRE(sequence.Prepare(kA, true) == Gate::kOpen);
  CHECK(sequence.in_flight_limit() == 1);
  sequence.Acknowledged({ProducerId(99), ProducerEpoch(0), 0});  // Another id's: no effect.
  CHECK(sequence.in_flight_limit() == 1);
  sequence.Acknowledged(sequence.Next(4));
  CHECK(sequence.in_flight_limit() == kMaxInFlightBatches);
  CHECK(kMaxInFlightBatches == 5);
}

TEST_CASE("a broken partition waits until settled, then moves to a newer id and starts at 0") {
  PartitionSequence sequence;
  REQUIRE(sequence.Prepare(kA, true) == Gate::kOpen);
  const ProducerStamp old = sequence.Next(10);
  sequence.Acknowledged(old);
  (void)sequence.Next(10);
  sequence.Break();
  CHECK(sequence.broken());
  CHECK(sequence.Prepare(kA, /*settled=*/false) == Gate::kWait);
  CHECK(sequence.Prepare(kB, /*settled=*/false) == Gate::kWait);
  CHECK(sequence.Prepare(kA, /*settled=*/true) == Gate::kNeedNewId);  // kA is its own id.
  REQUIRE(sequence.Prepare(kB, /*settled=*/true) == Gate::kOpen);
  CHECK_FALSE(sequence.broken());
  CHECK_FALSE(sequence.Holds(old));
  CHECK(sequence.Next(1) == ProducerStamp{ProducerId(8), ProducerEpoch(0), 0});
  CHECK(sequence.in_flight_limit() == 1);  // A new id: the first batch goes alone again.
}

TEST_CASE("a partition that is not broken keeps its id when the producer gets a newer one") {
  PartitionSequence sequence;
  REQUIRE(sequence.Prepare(kA, true) == Gate::kOpen);
  (void)sequence.Next(1);
  CHECK(sequence.Prepare(kB, true) == Gate::kOpen);
  CHECK(sequence.Next(1) == ProducerStamp{ProducerId(7), ProducerEpoch(0), 1});
}

TEST_CASE("producer ids: one request at a time, retried after a retriable error") {
  using Clock = ProducerIds::Clock;
  ProducerIds ids;
  const Clock::time_point now = Clock::now();
  Clock::time_point wake = Clock::time_point::max();
  CHECK_FALSE(ids.TakeRequest(now, &wake));  // Nobody wants one.
  CHECK(ids.Want());
  CHECK_FALSE(ids.Want());  // Already wanted.
  CHECK(ids.wanted());
  CHECK(ids.TakeRequest(now, &wake));
  CHECK_FALSE(ids.TakeRequest(now, &wake));  // Taken once.
  CHECK_FALSE(ids.Want());                    // In flight: its answer will do.

  ids.OnAnswer(MakeError(ErrorCode::kNetworkException, "connection lost"),
               now + milliseconds(100));
  CHECK(ids.attempts() == 1);
  CHECK(ids.fatal().ok());
  CHECK_FALSE(ids.TakeRequest(now, &wake));  // Backing off...
  CHECK(wake == now + milliseconds(100));
  CHECK(ids.TakeRequest(now + milliseconds(100), &wake));
  ids.OnAnswer(kA, now);
  REQUIRE(ids.current().has_value());
  CHECK(*ids.current() == kA);
  CHECK(ids.attempts() == 0);
  CHECK_FALSE(ids.wanted());
}

TEST_CASE("producer ids: a non-retriable answer is fatal and asks no more") {
  ProducerIds ids;
  REQUIRE(ids.Want());
  ProducerIds::Clock::time_point wake = ProducerIds::Clock::time_point::max();
  REQUIRE(ids.TakeRequest(ProducerIds::Clock::now(), &wake));
  ids.OnAnswer(MakeError(ErrorCode::kUnsupportedVersion, "InitProducerId is not served"),
               ProducerIds::Clock::now());
  CHECK(CodeOf(ids.fatal()) == ErrorCode::kUnsupportedVersion);
  CHECK(MessageOf(ids.fatal()) ==
        "the idempotent producer cannot get a producer id: InitProducerId is not served");
  CHECK_FALSE(ids.Want());
  CHECK_FALSE(ids.current().has_value());
}

TEST_CASE("what an error means for a stamped batch") {
  PartitionSequence sequence;
  REQUIRE(sequence.Prepare(kA, true) == Gate::kOpen);
  // A gap nothing explains: the broker and the producer disagree.
  CHECK(Classify(ErrorCode::kOutOfOrderSequenceNumber, true, sequence) == Verdict::kFail);
  // A gap left by an earlier batch still outstanding: retried after it.
  CHECK(Classify(ErrorCode::kOutOfOrderSequenceNumber, false, sequence) ==
        Verdict::kRetryRefused);
  CHECK(Classify(ErrorCode::kUnknownProducerId, true, sequence) == Verdict::kRetryUnderNewId);
  CHECK(Classify(ErrorCode::kNetworkException, true, sequence) == Verdict::kRetryAsStamped);
  CHECK(Classify(ErrorCode::kRequestTimedOut, false, sequence) == Verdict::kRetryAsStamped);
  CHECK(Classify(ErrorCode::kKafkaStorageError, true, sequence) == Verdict::kRetryAsStamped);
  CHECK(Classify(ErrorCode::kInvalidProducerEpoch, true, sequence) == Verdict::kFail);
  CHECK(Classify(ErrorCode::kDuplicateSequenceNumber, true, sequence) == Verdict::kFail);
  CHECK(Classify(ErrorCode::kMessageTooLarge, true, sequence) == Verdict::kFail);
  // A gap left by a batch that failed for good: retried under the next id.
  sequence.Break();
  CHECK(Classify(ErrorCode::kOutOfOrderSequenceNumber, true, sequence) ==
        Verdict::kRetryRefused);
}

TEST_CASE("the error of a refused batch says its records were not appended") {
  const ProducerStamp stamp{ProducerId(1000), ProducerEpoch(0), 42};
  const absl::Status error = IdempotenceError(
      MakeError(ErrorCode::kOutOfOrderSequenceNumber, "expected 17"), stamp, "orders", 3);
  CHECK(CodeOf(error) == ErrorCode::kOutOfOrderSequenceNumber);
  const std::string_view message = MessageOf(error);
  CHECK(message.find("orders-3 refused the batch of idempotent producer 1000 (epoch 0) at "
                     "sequence 42") == 0);
  CHECK(message.find("(expected 17)") != std::string_view::npos);
  CHECK(message.find("Its records were not appended") != std::string_view::npos);
  CHECK(message.find("under a new producer id") != std::string_view::npos);
  CHECK(MessageOf(IdempotenceError(MakeError(ErrorCode::kInvalidProducerEpoch, "old"), stamp,
                                   "orders", 3))
            .find("fenced") != std::string_view::npos);
  // Other errors say what they mean themselves.
  const absl::Status too_large = MakeError(ErrorCode::kMessageTooLarge, "too large");
  CHECK(IdempotenceError(too_large, stamp, "orders", 3) == too_large);
}

}  // namespace
}  // namespace brook::client
