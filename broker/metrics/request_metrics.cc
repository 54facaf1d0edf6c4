#include "broker/metrics/request_metrics.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "protocol/error_codes.h"

namespace brook::metrics {
namespace {

int32_t KeyOf(FaultListener listener, int16_t key) {
  return (static_cast<int32_t>(listener) << 16) | static_cast<uint16_t>(key);
}

std::string_view ListenerName(FaultListener listener) {
  return listener == FaultListener::kKafka ? "kafka" : "brook";
}

}  // namespace

RequestMetrics::RequestMetrics(prometheus::Registry& registry,
                               std::span<const faults::ServedApi> apis) {
  auto& requests = prometheus::BuildCounter()
                       .Name("brook_requests_total")
                       .Help("Requests handled, by listener and API")
                       .Register(registry);
  errors_ = &prometheus::BuildCounter()
                 .Name("brook_request_errors_total")
                 .Help("Requests answered with a request-level error, by listener, API and "
                       "error code name")
                 .Register(registry);
  for (const faults::ServedApi& served : apis) {
    auto api = std::make_unique<Api>();
    api->listener = std::string(ListenerName(served.listener));
    api->name = std::string(served.name);
    api->requests = &requests.Add({{"listener", api->listener}, {"api", api->name}});
    apis_[KeyOf(served.listener, served.key)] = std::move(api);
  }
}

RequestMetrics::~RequestMetrics() = default;

RequestMetrics::Api* RequestMetrics::Find(FaultListener listener, int16_t key) const {
  auto it = apis_.find(KeyOf(listener, key));
  return it == apis_.end() ? nullptr : it->second.get();
}

void RequestMetrics::Finish(Api& api, std::chrono::nanoseconds elapsed, int16_t error_code) {
  api.requests->Increment();
  api.latency.Observe(elapsed);
  if (error_code != 0) {
    errors_
        ->Add({{"listener", api.listener},
               {"api", api.name},
               {"code", std::string(ErrorName(static_cast<ErrorCode>(error_code)))}})
        .Increment();
  }
}

std::atomic<int64_t>& RequestMetrics::in_flight(FaultListener listener) {
  return in_flight_[static_cast<size_t>(listener)];
}

void RequestMetrics::Collect(Families& out) const {
  prometheus::MetricFamily& latency = out.Histogram(
      "brook_request_duration_seconds",
      "Time from a request's decoding to its answer (waits for fsync and long polls included), "
      "by listener and API");
  std::vector<const Api*> sorted;
  for (const auto& [key, api] : apis_) sorted.push_back(api.get());
  std::sort(sorted.begin(), sorted.end(), [](const Api* a, const Api* b) {
    return std::tie(a->listener, a->name) < std::tie(b->listener, b->name);
  });
  for (const Api* api : sorted) {
    prometheus::ClientMetric::Histogram snapshot = api->latency.Snapshot();
    // An API never called has no histogram yet (its 19 lines of zeros, for each of the dozens
    // of admin APIs, would be a tenth of a scrape); brook_requests_total still shows it.
    if (snapshot.sample_count == 0) continue;
    prometheus::ClientMetric& metric = latency.metric.emplace_back();
    metric.label = Families::Labels({{"listener", api->listener}, {"api", api->name}});
    metric.histogram = std::move(snapshot);
  }
  prometheus::MetricFamily& in_flight =
      out.Gauge("brook_requests_in_flight", "Requests being handled now, by listener");
  for (FaultListener listener : {FaultListener::kBrook, FaultListener::kKafka}) {
    Families::Add(in_flight, {{"listener", ListenerName(listener)}},
                  static_cast<double>(
                      in_flight_[static_cast<size_t>(listener)].load(std::memory_order_relaxed)));
  }
}

RequestTimer::RequestTimer(RequestMetrics* metrics, FaultListener listener, int16_t api_key)
    : metrics_(metrics) {
  if (metrics_ == nullptr) return;
  api_ = metrics_->Find(listener, api_key);
  if (api_ == nullptr) return;
  in_flight_ = &metrics_->in_flight(listener);
  in_flight_->fetch_add(1, std::memory_order_relaxed);
  start_ = std::chrono::steady_clock::now();
}

RequestTimer::~RequestTimer() {
  if (in_flight_ != nullptr) in_flight_->fetch_sub(1, std::memory_order_relaxed);
}

void RequestTimer::Finish(int16_t error_code) {
  if (api_ == nullptr) return;
  metrics_->Finish(*api_, std::chrono::steady_clock::now() - start_, error_code);
  api_ = nullptr;
}

}  // namespace brook::metrics
