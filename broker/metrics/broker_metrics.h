// broker/metrics/broker_metrics.h: the broker's Prometheus metrics (docs/metrics.md), and the
// text a scrape of GET /metrics returns.
//
//   BrokerMetrics metrics(served_apis);            // before the store: it times its fsyncs
//   metrics.Attach({.store = &store, .groups = &groups, ...});  // once they exist
//   std::string text = metrics.Render();           // the Prometheus text format
//   metrics.Detach();                              // before they are destroyed
//
// Two kinds of figures:
//  - counted where they happen, cheaply: requests (request_metrics.h), WAL fsyncs, dead letters
//    by reason; partitions' records and bytes in and out are counted by storage itself
//    (storage/partition_traffic.h), the log cleaner's work by the cleaner (CleanerWork);
//  - computed at scrape time from their source (collectors.h): partitions' offsets and sizes,
//    consumer groups' commits, lag, members and state, dead-letter counters and depths,
//    RocksDB's properties, disk use, connections, the memory budget, the process.
// Render builds prometheus::MetricFamily values and writes them with prometheus-cpp's
// TextSerializer.
// Thread-safety: every method from any thread. Render runs the scrape-time collectors under a
// mutex that Detach also takes, so a scrape never reads a source being destroyed (a scrape
// after Detach has the counted figures and the process's only).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "broker/faults/fault_registry.h"
#include "broker/metrics/atomic_histogram.h"
#include "broker/metrics/dead_letter_reasons.h"
#include "broker/metrics/prometheus_fwd.h"
#include "broker/metrics/request_metrics.h"

namespace brook {
class LogCleaner;
class MemoryBudget;
namespace storage {
class LogStore;
}  // namespace storage
namespace group {
class GroupCoordinator;
}  // namespace group

namespace metrics {

// What the scrape-time collectors read. Every pointer must stay valid until Detach().
struct MetricsSources {
  storage::LogStore* store = nullptr;
  group::GroupCoordinator* groups = nullptr;
  const MemoryBudget* memory = nullptr;
  const LogCleaner* cleaner = nullptr;
  std::function<size_t()> brook_connections;  // Open connections of each listener.
  std::function<size_t()> kafka_connections;  // None: the Kafka listener is off.
};

class BrokerMetrics {
 public:
  // `apis`: every API of both listeners (request metrics get one series each).
  explicit BrokerMetrics(std::span<const faults::ServedApi> apis);
  ~BrokerMetrics();
  BrokerMetrics(const BrokerMetrics&) = delete;
  BrokerMetrics& operator=(const BrokerMetrics&) = delete;

  RequestMetrics& requests() { return *requests_; }
  // A group-commit fsync of the WAL took `duration` (StoreOptions::on_wal_sync).
  void ObserveWalSync(std::chrono::nanoseconds duration) { wal_syncs_.Observe(duration); }
  // A record of `topic` was dead-lettered by `group` because of `reason` (free text; counted
  // under a bounded label: dead_letter_reasons.h).
  void CountDeadLetter(std::string_view topic, std::string_view group, std::string_view reason);

  void Attach(MetricsSources sources);
  // Waits for a scrape in progress; later scrapes skip the scrape-time collectors.
  void Detach();

  // Every metric in the Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  std::unique_ptr<prometheus::Registry> registry_;
  std::unique_ptr<RequestMetrics> requests_;
  std::unique_ptr<DeadLetterReasons> dead_letter_reasons_;
  AtomicHistogram wal_syncs_;
  const std::chrono::system_clock::time_point started_;
  mutable absl::Mutex sources_mu_;
  std::optional<MetricsSources> sources_ ABSL_GUARDED_BY(sources_mu_);
};

}  // namespace metrics
}  // namespace brook
