// The client's one backoff formula (client/backoff.h), and the callers that use it.
#include <doctest/doctest.h>

#include "client/backoff.h"
#include "client/retry_policy.h"

namespace brook::client {
namespace {

using std::chrono::milliseconds;

TEST_CASE("ExponentialBackoff doubles from the initial wait up to the cap") {
  CHECK(ExponentialBackoff(milliseconds(100), milliseconds(1000), 1) == milliseconds(100));
  CHECK(ExponentialBackoff(milliseconds(100), milliseconds(1000), 2) == milliseconds(200));
  CHECK(ExponentialBackoff(milliseconds(100), milliseconds(1000), 4) == milliseconds(800));
  CHECK(ExponentialBackoff(milliseconds(100), milliseconds(1000), 5) == milliseconds(1000));
  // Far past the cap nothing overflows.
  CHECK(ExponentialBackoff(milliseconds(100), milliseconds(1000), 10000) == milliseconds(1000));
  // Zero or negative failure counts count as the first.
  CHECK(ExponentialBackoff(milliseconds(100), milliseconds(1000), 0) == milliseconds(100));
  CHECK(ExponentialBackoff(milliseconds(0), milliseconds(1000), 7) == milliseconds(0));
}

TEST_CASE("ExponentialBackoff takes other multipliers") {
  CHECK(ExponentialBackoff(milliseconds(100), milliseconds(100000), 3, 3.0) == milliseconds(900));
  CHECK(ExponentialBackoff(milliseconds(100), milliseconds(100000), 3, 1.0) == milliseconds(100));
}

TEST_CASE("RetryPolicy::BackoffAfter is the same formula") {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(50);
  policy.multiplier = 3.0;
  policy.max_backoff = milliseconds(1000);
  for (int n = 1; n < 8; ++n) {
    CHECK(policy.BackoffAfter(n) == ExponentialBackoff(milliseconds(50), milliseconds(1000), n, 3.0));
  }
}

}  // namespace
}  // namespace brook::client
