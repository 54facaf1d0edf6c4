#include "bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace brook::bench {
namespace {

constexpr int kSubBucketBits = 7;                    // 128 buckets per power of two...
constexpr int64_t kExactBelow = int64_t{1} << (kSubBucketBits + 1);  // ...and exact below 256.
constexpr int kMaxBits = 44;                         // Values up to 2^44 ns.
constexpr int kBuckets =
    static_cast<int>(kExactBelow) + (kMaxBits - kSubBucketBits - 1) * (1 << kSubBucketBits);

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::BucketOf(int64_t nanos) {
  const int64_t v = std::clamp<int64_t>(nanos, 0, (int64_t{1} << kMaxBits) - 1);
  if (v < kExactBelow) return static_cast<int>(v);
  // v in [2^e, 2^(e+1)), e >= 8: 128 buckets of width 2^(e-7).
  const int e = std::bit_width(static_cast<uint64_t>(v)) - 1;
  const int shift = e - kSubBucketBits;
  const int sub = static_cast<int>((v >> shift) - (int64_t{1} << kSubBucketBits));
  return static_cast<int>(kExactBelow) + (e - kSubBucketBits - 1) * (1 << kSubBucketBits) + sub;
}

int64_t LatencyHistogram::UpperBoundOf(int bucket) {
  if (bucket < kExactBelow) return bucket;
  const int index = bucket - static_cast<int>(kExactBelow);
  const int e = index / (1 << kSubBucketBits) + kSubBucketBits + 1;
  const int sub = index % (1 << kSubBucketBits);
  const int shift = e - kSubBucketBits;
  return (((int64_t{1} << kSubBucketBits) + sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(int64_t nanos) {
  nanos = std::max<int64_t>(nanos, 0);
  ++counts_[static_cast<size_t>(BucketOf(nanos))];
  ++count_;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  sum_ += nanos;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

int64_t LatencyHistogram::ValueAt(double quantile) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(std::clamp(quantile, 0.0, 1.0) * count_)));
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen < rank) continue;
    // The last bucket also holds every larger value: its bound is the exact max.
    return i + 1 == counts_.size() ? max_ : std::min(UpperBoundOf(static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace brook::bench
