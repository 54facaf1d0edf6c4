// client/retry_policy.h: how a RecordProcessor retries a record that failed, and when it gives
// up and dead-letters it.
//
// Attempt 1 is the first try. After the n-th failed attempt (n < max_attempts) the record is
// tried again after BackoffAfter(n) = min(initial_backoff * multiplier^(n-1), max_backoff);
// after the max_attempts-th, or at once for a permanent failure, it goes to the dead-letter
// topic. A handler marks a failure permanent itself (RecordOutcome::Permanent), or the policy
// does, by its reason (is_permanent), e.g. for errors no retry can fix.
//
// Thread-safety: a plain value; is_permanent must be safe to call from the processor's thread.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "absl/status/status.h"

namespace brook {

struct RetryPolicy {
  int max_attempts = 5;                          // Tries per record, the first included (>= 1).
  std::chrono::milliseconds initial_backoff{100};  // Wait before the second try (>= 0).
  double multiplier = 2.0;                       // Growth of the wait per failure (>= 1).
  std::chrono::milliseconds max_backoff{30000};  // The wait never exceeds this (>= initial).
  // Whether a retryable failure with this reason is permanent after all (empty: never).
  std::function<bool(std::string_view reason)> is_permanent;

  // The wait after `failures` failed attempts (>= 1).
  std::chrono::milliseconds BackoffAfter(int failures) const;
  // Errors: INVALID_REQUEST naming the field that is out of range.
  absl::Status Validate() const;
};

}  // namespace brook
