// storage/store_options.h: how a LogStore is opened (StoreOptions) and where the storage
// engine's messages go (StoreLogSink). Contract: plain settings with defaults, no RocksDB
// types; the broker's public configuration (broker/broker_config.h) embeds them, so this
// header and what it includes are installed with the embedded broker.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "storage/topic_config.h"

namespace brook::storage {

// Receives the storage engine's warnings (error=false) and errors (error=true).
using StoreLogSink = std::function<void(bool error, std::string_view message)>;

struct StoreOptions {
  std::string data_dir = "./brook-data";  // Unused when in_memory.
  // Keep everything in memory (RocksDB over an in-memory file system, rocksdb::NewMemEnv):
  // nothing is written to disk, no directory is made or locked, and everything is lost when
  // the store closes.
  bool in_memory = false;
  TopicConfig topic_defaults{};         // Settings of topics that do not override them.
  int32_t max_partitions = 10000;       // Largest partition count a topic may have.
  size_t block_cache_bytes = 256 << 20; // RocksDB block cache for reads from disk.
  size_t write_buffer_bytes = 64 << 20; // RocksDB memtable size of the log.
  StoreLogSink log_sink{};              // Where RocksDB's warnings go (none: dropped).
  // Kafka's producer.id.expiration.ms: an idempotent producer's state on a partition is
  // forgotten this long after its last append there (1 day). Then a retry of its last batch
  // is appended again, and any sequence is accepted from it.
  int64_t producer_id_expiration_ms = 86'400'000;
  // Wall clock in ms since the epoch, for segment creation times (none: the system clock).
  // Tests inject a fake one.
  std::function<int64_t()> clock{};
  // Called on the syncer's thread after each group-commit fsync of the WAL (SyncWal), with
  // how long it took (none: not timed). For the broker's metrics; must not block.
  std::function<void(std::chrono::nanoseconds)> on_wal_sync{};
  // Appends are refused (STORAGE_ERROR) while the data dir's file system has less free space
  // than this plus what the memtables take when flushed, so the disk never fills up under
  // brook and deleting topics or records still works to free space (disk_guard.h). 0: never
  // refused before the disk is full. Unused when in_memory.
  uint64_t min_free_bytes = uint64_t{256} << 20;
};

}  // namespace brook::storage
