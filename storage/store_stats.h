// storage/store_stats.h: figures LogStore reports about itself for the broker's metrics:
// per partition (offsets, size, traffic) and for the storage engine and its disk.
//
// Plain values, copied when asked for (LogStore::PartitionStatistics, EngineStatistics).
#pragma once

#include <cstdint>
#include <string>

#include "protocol/types.h"

namespace brook::storage {

struct PartitionStats {
  std::string topic;
  PartitionId partition;
  Offset log_start;
  Offset log_end;
  int64_t size_bytes = 0;   // Its segments' stored batch bytes (before RocksDB's compression).
  int64_t records_in = 0;   // Since the partition was opened (partition_traffic.h).
  int64_t bytes_in = 0;
  int64_t records_out = 0;
  int64_t bytes_out = 0;
};

// RocksDB's properties, summed over the column families, and the data directory's disk. A
// figure RocksDB does not report is 0.
struct EngineStats {
  int64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes.
  int64_t running_compactions = 0;       // rocksdb.num-running-compactions.
  bool write_stopped = false;            // rocksdb.is-write-stopped: writes wait for compaction.
  int64_t delayed_write_rate = 0;        // rocksdb.actual-delayed-write-rate (bytes/s; 0: none).
  int64_t write_stops = 0;               // Write stops since open (cfstats io_stalls.total_stop).
  int64_t write_slowdowns = 0;           // Write slowdowns since open (io_stalls.total_slowdown).
  int64_t sst_bytes = 0;                 // rocksdb.total-sst-files-size.
  int64_t memtable_bytes = 0;            // rocksdb.cur-size-all-mem-tables.
  // The data directory's files (0 in memory), and its file system's free and total bytes
  // (-1 in memory or when unknown).
  int64_t data_dir_bytes = 0;
  int64_t disk_free_bytes = -1;
  int64_t disk_capacity_bytes = -1;
};

}  // namespace brook::storage
