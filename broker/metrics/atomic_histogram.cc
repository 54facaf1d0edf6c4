#include "broker/metrics/atomic_histogram.h"

#include <algorithm>
#include <cmath>

namespace brook::metrics {

AtomicHistogram::AtomicHistogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds.size() + 1)) {
  bounds_ns_.reserve(bounds_.size());
  for (double bound : bounds_) bounds_ns_.push_back(std::llround(bound * 1e9));
}

void AtomicHistogram::Observe(std::chrono::nanoseconds duration) {
  const int64_t ns = std::max<int64_t>(duration.count(), 0);
  size_t bucket = 0;
  while (bucket < bounds_ns_.size() && ns > bounds_ns_[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

prometheus::ClientMetric::Histogram AtomicHistogram::Snapshot() const {
  prometheus::ClientMetric::Histogram histogram;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    histogram.bucket.push_back({cumulative, bounds_[i]});
  }
  cumulative += counts_[bounds_.size()].load(std::memory_order_relaxed);
  histogram.sample_count = cumulative;
  histogram.sample_sum = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return histogram;
}

}  // namespace brook::metrics
