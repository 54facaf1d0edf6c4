// broker/metrics' building blocks on their own: the lock-free histogram, the bounded
// dead-letter reason labels, the request counters and what they render.
#include <doctest/doctest.h>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "broker/metrics/atomic_histogram.h"
#include "broker/metrics/dead_letter_reasons.h"
#include "broker/metrics/families.h"
#include "broker/metrics/request_metrics.h"
#include "tests/support/metrics_text.h"

namespace brook::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

std::string Render(prometheus::Registry& registry, Families out = {}) {
  out.Append(registry.Collect());
  return prometheus::TextSerializer().Serialize(std::move(out).Take());
}

TEST_CASE("AtomicHistogram: cumulative buckets, count and sum") {
  const double bounds[] = {0.001, 0.01, 0.1};
  AtomicHistogram histogram(bounds);
  histogram.Observe(microseconds(500));  // <= 1 ms
  histogram.Observe(milliseconds(1));    // <= 1 ms: bounds are inclusive
  histogram.Observe(milliseconds(5));    // <= 10 ms
  histogram.Observe(milliseconds(500));  // +Inf
  const prometheus::ClientMetric::Histogram snapshot = histogram.Snapshot();
  REQUIRE(snapshot.bucket.size() == 3);
  CHECK(snapshot.bucket[0].cumulative_count == 2);
  CHECK(snapshot.bucket[1].cumulative_count == 3);
  CHECK(snapshot.bucket[2].cumulative_count == 3);
  CHECK(snapshot.sample_count == 4);
  CHECK(snapshot.sample_sum == doctest::Approx(0.5065));
}

TEST_CASE("AtomicHistogram: observations from many threads all count") {
  AtomicHistogram histogram(kLatencyBounds);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&histogram] {
      for (int i = 0; i < 10000; ++i) histogram.Observe(microseconds(i % 2000));
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(histogram.Snapshot().sample_count == 40000);
}

TEST_CASE("DeadLetterReasons: a reason's first clause, trimmed, printable, bounded") {
  prometheus::Registry registry;
  DeadLetterReasons reasons(registry);
  CHECK(reasons.Label("timeout calling billing: 503 after 3 tries") == "timeout calling billing");
  CHECK(reasons.Label("  bad json\nat line 3") == "bad json");
  CHECK(reasons.Label("") == "unspecified");
  CHECK(reasons.Label(" : detail") == "unspecified");
  CHECK(reasons.Label("caf\xc3\xa9 closed") == "caf?? closed");
  CHECK(reasons.Label(std::string(100, 'x')) == std::string(DeadLetterReasons::kMaxReasonBytes, 'x'));
  // 4 labels are kept so far ("unspecified" is not one); fill up to the limit, then every
  // new one is "other".
  for (size_t i = 4; i < DeadLetterReasons::kMaxReasons; ++i) {
    CHECK(reasons.Label("order " + std::to_string(i) + " failed") != "other");
  }
  CHECK(reasons.Label("order 999 failed") == "other");
  CHECK(reasons.Label("timeout calling billing: again") == "timeout calling billing");

  reasons.Count("orders", "billing", "timeout calling billing: 504");
  reasons.Count("orders", "billing", "timeout calling billing: 503");
  const std::string text = Render(registry);
  CHECK(testing::Sample(text, "brook_dead_letter_reasons_total",
                        {{"topic", "orders"}, {"group", "billing"},
                         {"reason", "timeout calling billing"}}) == 2);
}

TEST_CASE("RequestMetrics: per listener and API, errors by code name, in flight") {
  prometheus::Registry registry;
  const faults::ServedApi apis[] = {{FaultListener::kBrook, 0, "Produce", true},
                                    {FaultListener::kKafka, 0, "Produce", true}};
  RequestMetrics requests(registry, apis);
  CHECK(requests.Find(FaultListener::kBrook, 1) == nullptr);
  {
    RequestTimer timer(&requests, FaultListener::kKafka, 0);
    CHECK(requests.in_flight(FaultListener::kKafka).load() == 1);
    CHECK(requests.in_flight(FaultListener::kBrook).load() == 0);
    timer.Finish(3);  // UNKNOWN_TOPIC_OR_PARTITION
  }
  CHECK(requests.in_flight(FaultListener::kKafka).load() == 0);
  {
    RequestTimer timer(&requests, FaultListener::kKafka, 0);
    timer.Finish(0);
  }
  RequestTimer unknown(&requests, FaultListener::kBrook, 77);  // Not served: not counted.
  unknown.Finish(0);
  RequestTimer without_metrics(nullptr, FaultListener::kBrook, 0);
  without_metrics.Finish(0);

  Families out;
  requests.Collect(out);
  const std::string text = Render(registry, std::move(out));
  const std::map<std::string, std::string> kafka = {{"listener", "kafka"}, {"api", "Produce"}};
  const std::map<std::string, std::string> brook = {{"listener", "brook"}, {"api", "Produce"}};
  CHECK(testing::Sample(text, "brook_requests_total", kafka) == 2);
  CHECK(testing::Sample(text, "brook_requests_total", brook) == 0);
  CHECK(testing::Sample(text, "brook_request_duration_seconds_count", kafka) == 2);
  CHECK(testing::Sample(text, "brook_request_errors_total",
                        {{"listener", "kafka"}, {"code", "UNKNOWN_TOPIC_OR_PARTITION"}}) == 1);
  CHECK(testing::Sample(text, "brook_requests_in_flight", {{"listener", "kafka"}}) == 0);
}

}  // namespace
}  // namespace brook::metrics
