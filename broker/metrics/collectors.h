// broker/metrics/collectors.h: the scrape-time collectors BrokerMetrics::Render runs. Each
// reads its source as it is now and adds families to `out`; none keeps state between scrapes.
// Thread-safety: as their sources' (every source read here is thread-safe).
#pragma once

#include <cstdint>
#include <vector>

#include "broker/metrics/atomic_histogram.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/metrics/families.h"
#include "storage/store_stats.h"

namespace brook::metrics {

// Per partition: records and bytes in and out, log start and end offsets, size.
void CollectPartitions(const std::vector<storage::PartitionStats>& partitions, Families& out);
// Per consumer group (both kinds): members, state, generation, rebalances; per group and
// partition it committed: the committed offset, the lag in records and in seconds (the age of
// the oldest record it has not consumed, by the store's clock `now_ms`). `partitions` is
// PartitionStatistics(), sorted.
void CollectGroups(storage::LogStore& store, group::GroupCoordinator& groups,
                   const std::vector<storage::PartitionStats>& partitions, int64_t now_ms,
                   Families& out);
// The dead-letter counters kept by the store (per source topic and group), and the depth of
// every dead-letter topic (records between its log start and end).
void CollectDeadLetters(const storage::LogStore& store,
                        const std::vector<storage::PartitionStats>& partitions, Families& out);
// RocksDB, the disk, WAL fsyncs and the log cleaner's work.
void CollectStorage(const storage::EngineStats& engine, const AtomicHistogram& wal_syncs,
                    const LogCleaner* cleaner, Families& out);
// Connections of each listener and the in-flight memory budget.
void CollectServer(const MetricsSources& sources, Families& out);
// The process: CPU time, memory, open files, threads, start time (/proc/self).
void CollectProcess(Families& out);

}  // namespace brook::metrics
