// broker/metrics/request_metrics.h: requests per listener and API: how many, which failed with
// which error code, how long they took, how many are being handled now.
//
// Both protocols' handlers time every request they route:
//
//   RequestTimer timer(metrics, FaultListener::kBrook, header.api_key);
//   Outcome outcome = co_await route->serve(...);
//   timer.Finish(outcome.error_code);
//
// Cost on the hot path: the (listener, API) entry is found in a map built once at start (no
// lock), then two clock reads, a counter increment (prometheus-cpp's Counter: an atomic) and
// the latency histogram's two atomic additions (atomic_histogram.h), plus the in-flight
// gauge's increment and decrement. An error (rare) also looks its code's counter up in its
// family (prometheus-cpp takes the family's mutex).
// Thread-safety: everything from any thread. Lifecycle: created with the broker, before its
// listeners; it outlives every request.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "broker/faults/fault_registry.h"
#include "broker/metrics/atomic_histogram.h"
#include "broker/metrics/families.h"
#include "broker/metrics/prometheus_fwd.h"

namespace brook::metrics {

class RequestMetrics {
 public:
  // One (listener, API).
  struct Api {
    std::string listener;  // "brook", "kafka".
    std::string name;      // The API's name, as fault rules and docs spell it.
    prometheus::Counter* requests = nullptr;
    AtomicHistogram latency{kLatencyBounds};
  };

  // Registers brook_requests_total and brook_request_errors_total in `registry` with one
  // series per API of `apis`.
  RequestMetrics(prometheus::Registry& registry, std::span<const faults::ServedApi> apis);
  ~RequestMetrics();

  // The entry of an API the listener serves, or nullptr.
  Api* Find(FaultListener listener, int16_t key) const;
  // Counts a finished request: its latency, and its error (0: none) by error code name.
  void Finish(Api& api, std::chrono::nanoseconds elapsed, int16_t error_code);
  std::atomic<int64_t>& in_flight(FaultListener listener);

  // The latency histograms and in-flight gauges (the counters are the registry's).
  void Collect(Families& out) const;

 private:
  absl::flat_hash_map<int32_t, std::unique_ptr<Api>> apis_;  // By listener << 16 | key.
  prometheus::Family<prometheus::Counter>* errors_ = nullptr;
  std::array<std::atomic<int64_t>, 3> in_flight_{};  // By FaultListener.
};

// Times one request from construction to Finish; counts it in flight meanwhile. Does nothing
// when `metrics` is null (a broker context built without metrics, in unit tests) or the API is
// unknown.
class RequestTimer {
 public:
  RequestTimer(RequestMetrics* metrics, FaultListener listener, int16_t api_key);
  ~RequestTimer();
  RequestTimer(const RequestTimer&) = delete;
  RequestTimer& operator=(const RequestTimer&) = delete;

  void Finish(int16_t error_code);

 private:
  RequestMetrics* metrics_;
  RequestMetrics::Api* api_ = nullptr;
  std::atomic<int64_t>* in_flight_ = nullptr;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace brook::metrics
