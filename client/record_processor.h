// client/record_processor.h: brook::RecordProcessor, a consumer group's process loop with
// retries, backoff and dead-lettering, done right once (docs/dead-letters.md).
//
//   brook::RecordProcessor::Options options;
//   options.consumer.bootstrap = "127.0.0.1:9292";
//   options.consumer.group_id = "billing";
//   options.topics = {"orders"};
//   options.retry.max_attempts = 5;
//   auto processor = brook::RecordProcessor::Create(options, [](const brook::ConsumerRecord& r) {
//     if (!Parse(r)) return brook::RecordOutcome::Permanent("not a valid order");
//     if (!Charge(r)) return brook::RecordOutcome::Retry("payment service unavailable");
//     return brook::RecordOutcome::Success();
//   });
//   std::jthread worker([&](std::stop_token stop) { (void)(*processor)->Run(stop); });
//
// Order: a partition's records are handled one at a time, in offset order; a record is handled
// only once the one before it succeeded or was dead-lettered.
// Retries: a failed record is tried again per RetryPolicy. While it waits, only its partition
// waits (it is paused in the consumer); the other partitions keep flowing. Handlers run on the
// thread that calls Run/RunOnce, so a slow handler holds every partition; a backoff does not.
// A handler that throws counts as a retryable failure with the exception's what().
// Dead letters: a permanent failure, or the last failed attempt, sends the record to its
// topic's dead-letter topic with the reason, attempt count and failure times
// (Consumer::DeadLetter: the copy and the group's commit past it are one atomic write on the
// broker). A dead-letter request that fails transiently is sent again after
// retry.initial_backoff, at least 100 ms (the partition waits); it is idempotent, so no record
// is ever copied twice. A record that compaction or retention removed from the log before it
// could be dead-lettered is skipped (counted in stats().gone).
// Commits: at-least-once. The processor commits the offset after the last record handled (not
// merely fetched) every commit_interval, before its partitions are revoked, and in Close; the
// consumer's own auto-commit is turned off. After a crash, records handled since the last
// commit are handled again.
// Thread-safety: not thread-safe; one thread calls RunOnce/Run/Close (Run stops on request).
// Lifecycle: Create connects; Close (also run by the destructor) commits and leaves the group.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/consumer.h"
#include "client/retry_policy.h"

namespace brook {

// What a handler says about one record.
class RecordOutcome {
 public:
  enum class Kind { kSuccess, kRetry, kPermanent };
  static RecordOutcome Success() { return RecordOutcome(Kind::kSuccess, {}); }
  // Worth trying again (an outage, a timeout).
  static RecordOutcome Retry(std::string reason) { return RecordOutcome(Kind::kRetry, std::move(reason)); }
  // No retry can help (a poison record): dead-letter it now.
  static RecordOutcome Permanent(std::string reason) {
    return RecordOutcome(Kind::kPermanent, std::move(reason));
  }
  Kind kind() const { return kind_; }
  const std::string& reason() const { return reason_; }

 private:
  RecordOutcome(Kind kind, std::string reason) : kind_(kind), reason_(std::move(reason)) {}
  Kind kind_;
  std::string reason_;
};

struct ProcessorStats {
  int64_t succeeded = 0;       // Records the handler processed.
  int64_t failed_attempts = 0; // Handler failures, every attempt counted.
  int64_t dead_lettered = 0;   // Records sent to a dead-letter topic.
  int64_t gone = 0;            // Records removed from the log before they could be: skipped.
};

class RecordProcessor {
 public:
  struct Options {
    ConsumerOptions consumer;  // group_id is required; enable_auto_commit is ignored (off).
    std::vector<std::string> topics;
    RetryPolicy retry;
    std::chrono::milliseconds commit_interval{1000};
  };
  using Handler = std::function<RecordOutcome(const ConsumerRecord&)>;

  // Validates the options, connects and subscribes (the group is joined by the first run).
  // Errors: INVALID_REQUEST (no group_id, no topics, no handler, a bad retry policy, a
  // non-positive commit_interval); those of Consumer::Create and Subscribe.
  static absl::StatusOr<std::unique_ptr<RecordProcessor>> Create(Options options,
                                                                 Handler handler);
  ~RecordProcessor();
  RecordProcessor(const RecordProcessor&) = delete;
  RecordProcessor& operator=(const RecordProcessor&) = delete;

  // One round: polls (waiting up to `max_wait`, less when a backoff ends sooner), handles every
  // record that is due, and commits when commit_interval has passed. Errors: the consumer's
  // (see Consumer::Poll), a commit's or a dead-letter request's that no retry can fix (e.g.
  // UNKNOWN_TOPIC_OR_PARTITION after the topic was deleted, MESSAGE_TOO_LARGE when a
  // dead-letter topic made by hand is too small); the failed record stays first in line.
  absl::Status RunOnce(std::chrono::milliseconds max_wait);
  // Runs rounds until `stop` is requested; rides out transient errors (the broker restarting,
  // a rebalance). Returns OK when stopped, else the first error RunOnce cannot recover from.
  absl::Status Run(std::stop_token stop);
  // Commits what was handled and leaves the group. Idempotent.
  void Close();

  ProcessorStats stats() const;
  // The underlying consumer (for Assignment(), member_id(), ...); do not Poll it directly.
  Consumer& consumer();

 private:
  class Impl;
  explicit RecordProcessor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brook
