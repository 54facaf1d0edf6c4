// bench/latency_histogram.h: a log-linear latency histogram (HdrHistogram's layout), for the
// end-to-end latency workloads.
//
// Values are nanoseconds in [0, 2^44) (about 4.9 hours; larger ones fall in the last bucket,
// which reports the exact maximum). Values below 256 are kept exactly; above, each power of two is split into 128
// equal buckets, so a percentile is reported within 1/128 (0.8%) of the true value, rounded
// up: the report never understates a latency. The exact minimum, maximum and mean are kept
// besides. HdrHistogram's C library is not packaged for Debian 12, hence this one (about 4.6k
// counters, 37 KiB).
//
// Coordinated omission is the caller's to avoid: record latencies measured from when each
// record was meant to be sent (a fixed-rate schedule), not from when it was sent.
//
// Thread-safety: none; give each thread its own and Merge them.
#pragma once

#include <cstdint>
#include <vector>

namespace brook::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(int64_t nanos);
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  int64_t min() const { return count_ > 0 ? min_ : 0; }
  int64_t max() const { return max_; }
  double mean() const { return count_ > 0 ? static_cast<double>(sum_) / count_ : 0; }
  // The smallest value v such that at least `quantile` (in [0, 1]) of the values are <= v,
  // to within the bucket width (rounded up, capped at max()); 0 when empty.
  int64_t ValueAt(double quantile) const;

 private:
  static int BucketOf(int64_t nanos);
  static int64_t UpperBoundOf(int bucket);

  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  __int128 sum_ = 0;
};

}  // namespace brook::bench
