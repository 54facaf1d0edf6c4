#include "client/backoff.h"

#include <algorithm>
#include <cmath>

namespace brook::client {

std::chrono::milliseconds ExponentialBackoff(std::chrono::milliseconds initial,
                                             std::chrono::milliseconds max, int failures,
                                             double multiplier) {
  // In doubles: multiplier^(n-1) overflows integers long before it reaches any sane max.
  const double wait = static_cast<double>(initial.count()) *
                      std::pow(multiplier, std::max(failures, 1) - 1);
  const double capped = std::min(wait, static_cast<double>(max.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(capped));
}

}  // namespace brook::client
