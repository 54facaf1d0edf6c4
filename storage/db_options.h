// storage/db_options.h: how brook configures RocksDB (internal to storage/, .cc files only).
//
// The "log" column family keeps batches (usually kilobytes to a megabyte each) in blob files,
// so compaction moves keys, not payloads: each batch is written once to the WAL and once to a
// blob file. "time_index", "group_offsets" and "meta" are small, ordinary column families.
#pragma once

#include <vector>

#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "storage/log_store.h"

namespace brook::storage {

inline constexpr char kMetaColumnFamily[] = "default";
inline constexpr char kLogColumnFamily[] = "log";
inline constexpr char kTimeIndexColumnFamily[] = "time_index";
inline constexpr char kGroupOffsetsColumnFamily[] = "group_offsets";

// `memory_env`: the in-memory file system of a store with options.in_memory; else null.
rocksdb::DBOptions MakeDbOptions(const StoreOptions& options, rocksdb::Env* memory_env);
// Descriptors in the order meta, log, time_index, group_offsets.
std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(const StoreOptions& options);

}  // namespace brook::storage
