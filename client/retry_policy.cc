#include "client/retry_policy.h"

#include "client/backoff.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook {

std::chrono::milliseconds RetryPolicy::BackoffAfter(int failures) const {
  return client::ExponentialBackoff(initial_backoff, max_backoff, failures, multiplier);
}

absl::Status RetryPolicy::Validate() const {
  auto invalid = [](std::string message) {
    return MakeError(ErrorCode::kInvalidRequest, "retry policy: " + message);
  };
  if (max_attempts < 1) return invalid(fmt::format("max_attempts {} is below 1", max_attempts));
  if (initial_backoff.count() < 0) return invalid("initial_backoff is negative");
  if (!(multiplier >= 1.0)) return invalid(fmt::format("multiplier {} is below 1", multiplier));
  if (max_backoff < initial_backoff) return invalid("max_backoff is below initial_backoff");
  return absl::OkStatus();
}

}  // namespace brook
