// LogStore's figures for the broker's metrics (store_stats.h).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>

#include <rocksdb/db.h>

#include "storage/log_store.h"

namespace brook::storage {
namespace {

int64_t IntProperty(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, const std::string& name) {
  uint64_t value = 0;
  return db.GetIntProperty(cf, name, &value) ? static_cast<int64_t>(value) : 0;
}

// A database-wide property, or 0.
int64_t DbProperty(rocksdb::DB& db, const std::string& name) {
  uint64_t value = 0;
  return db.GetIntProperty(name, &value) ? static_cast<int64_t>(value) : 0;
}

// A figure of the column family's cfstats map (e.g. "io_stalls.total_stop"), or 0.
int64_t CfStat(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
  std::map<std::string, std::string> stats;
  if (!db.GetMapProperty(cf, rocksdb::DB::Properties::kCFStats, &stats)) return 0;
  auto it = stats.find(key);
  return it == stats.end() ? 0 : static_cast<int64_t>(std::strtod(it->second.c_str(), nullptr));
}

// Bytes of the regular files under `dir`; files that vanish while it walks are skipped.
int64_t DirectoryBytes(const std::string& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (!it->is_regular_file(size_ec)) continue;
    const uintmax_t size = it->file_size(size_ec);
    if (!size_ec) total += static_cast<int64_t>(size);
  }
  return total;
}

}  // namespace

std::vector<PartitionStats> LogStore::PartitionStatistics() const {
  std::vector<std::shared_ptr<const Topic>> topics;
  {
    absl::ReaderMutexLock lock(&mu_);
    topics.reserve(topics_.size());
    for (const auto& [name, topic] : topics_) topics.push_back(topic);
  }
  std::vector<PartitionStats> stats;
  for (const std::shared_ptr<const Topic>& topic : topics) {
    for (const std::shared_ptr<PartitionLog>& log : topic->partitions) {
      PartitionStats& s = stats.emplace_back();
      s.topic = topic->name;
      s.partition = log->partition();
      s.log_start = log->log_start();
      s.log_end = log->log_end();
      for (const Segment& segment : log->segments()) s.size_bytes += segment.bytes;
      const PartitionTraffic& traffic = *log->traffic();
      s.records_in = traffic.records_in.load(std::memory_order_relaxed);
      s.bytes_in = traffic.bytes_in.load(std::memory_order_relaxed);
      s.records_out = traffic.records_out.load(std::memory_order_relaxed);
      s.bytes_out = traffic.bytes_out.load(std::memory_order_relaxed);
    }
  }
  std::sort(stats.begin(), stats.end(), [](const PartitionStats& a, const PartitionStats& b) {
    return std::tie(a.topic, a.partition.value) < std::tie(b.topic, b.partition.value);
  });
  return stats;
}

EngineStats LogStore::EngineStatistics() const {
  rocksdb::DB& db = *cfs_.db;
  EngineStats stats;
  for (rocksdb::ColumnFamilyHandle* cf : handles_) {
    stats.pending_compaction_bytes +=
        IntProperty(db, cf, rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
    stats.sst_bytes += IntProperty(db, cf, rocksdb::DB::Properties::kTotalSstFilesSize);
    stats.memtable_bytes += IntProperty(db, cf, rocksdb::DB::Properties::kCurSizeAllMemTables);
    stats.write_stops += CfStat(db, cf, "io_stalls.total_stop");
    stats.write_slowdowns += CfStat(db, cf, "io_stalls.total_slowdown");
  }
  stats.running_compactions =
      DbProperty(db, rocksdb::DB::Properties::kNumRunningCompactions);
  stats.write_stopped = DbProperty(db, rocksdb::DB::Properties::kIsWriteStopped) != 0;
  stats.delayed_write_rate =
      DbProperty(db, rocksdb::DB::Properties::kActualDelayedWriteRate);
  if (!options_.in_memory) {
    stats.data_dir_bytes = DirectoryBytes(options_.data_dir);
    std::error_code ec;
    const std::filesystem::space_info space = std::filesystem::space(options_.data_dir, ec);
    if (!ec) {
      stats.disk_free_bytes = static_cast<int64_t>(space.available);
      stats.disk_capacity_bytes = static_cast<int64_t>(space.capacity);
    }
  }
  return stats;
}

}  // namespace brook::storage
