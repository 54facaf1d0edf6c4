// CollectStorage and CollectServer (collectors.h).
#include "broker/log_cleaner.h"
#include "broker/memory_budget.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/metrics/collectors.h"

namespace brook::metrics {
namespace {

double Load(const std::atomic<int64_t>& value) {
  return static_cast<double>(value.load(std::memory_order_relaxed));
}

// The log cleaner's counters: name, help, field, and the factor to the metric's unit.
struct CleanerCounter {
  const char* name;
  const char* help;
  std::atomic<int64_t> CleanerWork::*field;
  double scale = 1;
};
constexpr CleanerCounter kCleanerCounters[] = {
    {"brook_log_cleaner_passes_total",
     "Background passes of the log cleaner (retention, producer expiry, compaction)",
     &CleanerWork::passes},
    {"brook_retention_deleted_segments_total", "Segments deleted by retention and DeleteRecords",
     &CleanerWork::segments_deleted},
    {"brook_retention_freed_bytes_total",
     "Bytes of the segments deleted by retention and DeleteRecords", &CleanerWork::bytes_freed},
    {"brook_retention_deleted_records_total",
     "Offsets the log starts moved past (retention and DeleteRecords)",
     &CleanerWork::records_deleted},
    {"brook_compactions_total", "Compactions of a partition run (background and CompactTopic)",
     &CleanerWork::compactions},
    {"brook_compaction_read_bytes_total", "Bytes compaction read",
     &CleanerWork::compaction_bytes_read},
    {"brook_compaction_written_bytes_total", "Bytes compaction wrote",
     &CleanerWork::compaction_bytes_written},
    {"brook_compaction_removed_records_total",
     "Superseded records and expired tombstones compaction removed",
     &CleanerWork::compaction_records_removed},
    {"brook_compaction_seconds_total", "Time spent compacting", &CleanerWork::compaction_ms,
     0.001},
};

}  // namespace

void CollectStorage(const storage::EngineStats& engine, const AtomicHistogram& wal_syncs,
                    const LogCleaner* cleaner, Families& out) {
  prometheus::ClientMetric& fsyncs =
      out.Histogram("brook_wal_fsync_duration_seconds",
                    "Group-commit fsyncs of the write-ahead log (acks=all waits for one) and "
                    "how long each took; _count is the number of fsyncs")
          .metric.emplace_back();
  fsyncs.histogram = wal_syncs.Snapshot();
  auto gauge = [&out](std::string name, std::string help, double value) {
    Families::Add(out.Gauge(std::move(name), std::move(help)), {}, value);
  };
  auto counter = [&out](std::string name, std::string help, double value) {
    Families::Add(out.Counter(std::move(name), std::move(help)), {}, value);
  };
  gauge("brook_storage_write_stopped",
        "1 while RocksDB stops writes until compaction catches up, else 0",
        engine.write_stopped ? 1 : 0);
  gauge("brook_storage_delayed_write_rate_bytes",
        "The rate RocksDB slows writes down to while they are delayed (0: not delayed)",
        static_cast<double>(engine.delayed_write_rate));
  counter("brook_storage_write_stops_total", "Times RocksDB stopped writes since the broker started",
          static_cast<double>(engine.write_stops));
  counter("brook_storage_write_slowdowns_total",
          "Times RocksDB slowed writes down since the broker started",
          static_cast<double>(engine.write_slowdowns));
  gauge("brook_storage_pending_compaction_bytes",
        "Bytes RocksDB estimates its compactions still have to rewrite",
        static_cast<double>(engine.pending_compaction_bytes));
  gauge("brook_storage_running_compactions", "RocksDB compactions running now",
        static_cast<double>(engine.running_compactions));
  gauge("brook_storage_sst_bytes", "Bytes of RocksDB's table files",
        static_cast<double>(engine.sst_bytes));
  gauge("brook_storage_memtable_bytes", "Bytes of RocksDB's memtables",
        static_cast<double>(engine.memtable_bytes));
  gauge("brook_disk_used_bytes", "Bytes of the files in the data directory (0 in memory)",
        static_cast<double>(engine.data_dir_bytes));
  if (engine.disk_free_bytes >= 0) {
    gauge("brook_disk_free_bytes", "Bytes free for the broker on the data directory's file system",
          static_cast<double>(engine.disk_free_bytes));
    gauge("brook_disk_capacity_bytes", "Size of the data directory's file system",
          static_cast<double>(engine.disk_capacity_bytes));
  }
  if (cleaner == nullptr) return;
  for (const CleanerCounter& counter : kCleanerCounters) {
    Families::Add(out.Counter(counter.name, counter.help), {},
                  Load(cleaner->work().*counter.field) * counter.scale);
  }
}

void CollectServer(const MetricsSources& sources, Families& out) {
  auto& connections = out.Gauge("brook_connections", "Open client connections, by listener");
  if (sources.brook_connections) {
    Families::Add(connections, {{"listener", "brook"}},
                  static_cast<double>(sources.brook_connections()));
  }
  if (sources.kafka_connections) {
    Families::Add(connections, {{"listener", "kafka"}},
                  static_cast<double>(sources.kafka_connections()));
  }
  if (sources.memory != nullptr) {
    Families::Add(out.Gauge("brook_in_flight_bytes",
                            "Bytes of requests buffered and answers not yet written, both "
                            "listeners (the memory budget's use)"),
                  {}, static_cast<double>(sources.memory->used()));
    Families::Add(out.Gauge("brook_in_flight_limit_bytes",
                            "The memory budget for in-flight requests (--max-in-flight-bytes)"),
                  {}, static_cast<double>(sources.memory->limit()));
  }
}

}  // namespace brook::metrics
