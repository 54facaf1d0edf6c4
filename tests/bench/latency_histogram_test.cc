#include "bench/latency_histogram.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace brook::bench {
namespace {

// The exact nearest-rank percentile of `values`.
int64_t Exact(std::vector<int64_t> values, double quantile) {
  std::sort(values.begin(), values.end());
  const auto rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(quantile * values.size())));
  return values[rank - 1];
}

TEST_CASE("small values are exact; min, max and mean are exact") {
  LatencyHistogram h;
  for (int64_t v : {5, 1, 200, 7, 255}) h.Record(v);
  CHECK(h.count() == 5);
  CHECK(h.min() == 1);
  CHECK(h.max() == 255);
  CHECK(h.mean() == doctest::Approx(93.6));
  CHECK(h.ValueAt(0.5) == 7);
  CHECK(h.ValueAt(0.0) == 1);
  CHECK(h.ValueAt(1.0) == 255);
  CHECK(LatencyHistogram().ValueAt(0.99) == 0);
}

TEST_CASE("percentiles are within 1/128 above the exact value, never below") {
  std::mt19937_64 random(42);
  // Latencies from 20 us to 2 s, log-uniform, like a real distribution's spread.
  std::uniform_real_distribution<double> exponent(std::log(20e3), std::log(2e9));
  std::vector<int64_t> values;
  LatencyHistogram a, b;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<int64_t>(std::exp(exponent(random)));
    values.push_back(v);
    (i % 2 ? a : b).Record(v);
  }
  a.Merge(b);
  REQUIRE(a.count() == 200000);
  for (double q : {0.5, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
    const int64_t exact = Exact(values, q);
    const int64_t reported = a.ValueAt(q);
    CHECK(reported >= exact);
    CHECK(reported <= exact + exact / 128 + 1);
  }
  CHECK(a.max() == *std::max_element(values.begin(), values.end()));
}

TEST_CASE("huge and negative values are clamped, not lost") {
  LatencyHistogram h;
  h.Record(-3);
  h.Record(int64_t{1} << 50);
  CHECK(h.count() == 2);
  CHECK(h.min() == 0);
  CHECK(h.ValueAt(1.0) == int64_t{1} << 50);  // Capped at the exact max.
}

}  // namespace
}  // namespace brook::bench
