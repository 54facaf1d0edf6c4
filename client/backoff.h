// client/backoff.h: the client's one backoff formula, used by every retry it makes (a
// producer's batch, its reconnects, a RecordProcessor's record).
//
// The wait after the n-th consecutive failure (n >= 1; below 1 counts as 1) is
//   min(initial * multiplier^(n-1), max).
// Thread-safety: a pure function.
#pragma once

#include <chrono>

namespace brook::client {

std::chrono::milliseconds ExponentialBackoff(std::chrono::milliseconds initial,
                                             std::chrono::milliseconds max, int failures,
                                             double multiplier = 2.0);

}  // namespace brook::client
