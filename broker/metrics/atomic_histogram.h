// broker/metrics/atomic_histogram.h: a latency histogram that a hot path fills lock-free.
//
// prometheus-cpp's Histogram takes a mutex per observation; this one costs two relaxed atomic
// additions (the bucket and the sum), so every request of every connection can be timed.
// Snapshot() turns it into the ClientMetric the text serializer writes (cumulative buckets,
// the +Inf bucket added by the serializer). A snapshot taken while observations land may see
// a bucket counted before its sum: scrapes are approximate by a few in-flight samples.
//
//   AtomicHistogram latency(kLatencyBounds);
//   latency.Observe(std::chrono::steady_clock::now() - start);
//
// Thread-safety: Observe and Snapshot from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <prometheus/client_metric.h>

namespace brook::metrics {

// Request latency buckets, in seconds: 100 us to 10 s.
inline constexpr double kLatencyBounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     5,      10};

class AtomicHistogram {
 public:
  // `bounds`: increasing upper bounds in seconds (a last +Inf bucket is implied).
  explicit AtomicHistogram(std::span<const double> bounds);
  AtomicHistogram(const AtomicHistogram&) = delete;
  AtomicHistogram& operator=(const AtomicHistogram&) = delete;

  void Observe(std::chrono::nanoseconds duration);
  prometheus::ClientMetric::Histogram Snapshot() const;

 private:
  std::vector<double> bounds_;        // Seconds.
  std::vector<int64_t> bounds_ns_;    // The same in nanoseconds, for Observe.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // One per bound, then +Inf.
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace brook::metrics
