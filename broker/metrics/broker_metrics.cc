#include "broker/metrics/broker_metrics.h"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "broker/metrics/collectors.h"
#include "storage/log_store.h"

namespace brook::metrics {

// fsync latency buckets, in seconds: 50 us to 2.5 s.
constexpr double kFsyncBounds[] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                   0.01,    0.025,  0.05,    0.1,    0.25,  0.5,    1, 2.5};

BrokerMetrics::BrokerMetrics(std::span<const faults::ServedApi> apis)
    : registry_(std::make_unique<prometheus::Registry>()),
      requests_(std::make_unique<RequestMetrics>(*registry_, apis)),
      dead_letter_reasons_(std::make_unique<DeadLetterReasons>(*registry_)),
      wal_syncs_(kFsyncBounds),
      started_(std::chrono::system_clock::now()) {}

BrokerMetrics::~BrokerMetrics() = default;

void BrokerMetrics::CountDeadLetter(std::string_view topic, std::string_view group,
                                    std::string_view reason) {
  dead_letter_reasons_->Count(topic, group, reason);
}

void BrokerMetrics::Attach(MetricsSources sources) {
  absl::MutexLock lock(&sources_mu_);
  sources_ = std::move(sources);
}

void BrokerMetrics::Detach() {
  absl::MutexLock lock(&sources_mu_);
  sources_.reset();
}

std::string BrokerMetrics::Render() const {
  Families out;
  out.Append(registry_->Collect());
  requests_->Collect(out);
  {
    absl::MutexLock lock(&sources_mu_);
    if (sources_) {
      const std::vector<storage::PartitionStats> partitions =
          sources_->store->PartitionStatistics();
      CollectPartitions(partitions, out);
      CollectGroups(*sources_->store, *sources_->groups, partitions, sources_->store->NowMs(),
                    out);
      CollectDeadLetters(*sources_->store, partitions, out);
      CollectStorage(sources_->store->EngineStatistics(), wal_syncs_, sources_->cleaner, out);
      CollectServer(*sources_, out);
    }
  }
  Families::Add(out.Gauge("brook_uptime_seconds", "Seconds since the broker started"), {},
                std::chrono::duration<double>(std::chrono::system_clock::now() - started_)
                    .count());
  CollectProcess(out);
  return prometheus::TextSerializer().Serialize(std::move(out).Take());
}

}  // namespace brook::metrics
