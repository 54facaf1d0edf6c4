// storage/db_options.h: how brook configures RocksDB (internal to storage/, .cc files only).
//
// The "log" column family keeps batches (usually kilobytes to a megabyte each) in blob files,
// so compaction moves keys, not payloads: each batch is written once to the WAL and once to a
// blob file. "time_index", "group_offsets" and "meta" are small, ordinary column families.
#pragma once

#include <string>
#include <vector>

#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "storage/log_store.h"

namespace brook::storage {

inline constexpr char kMetaColumnFamily[] = "default";
inline constexpr char kLogColumnFamily[] = "log";
inline constexpr char kTimeIndexColumnFamily[] = "time_index";
inline constexpr char kGroupOffsetsColumnFamily[] = "group_offsets";
inline constexpr char kEventsColumnFamily[] = "events";

// `memory_env`: the in-memory file system of a store with options.in_memory; else null.
rocksdb::DBOptions MakeDbOptions(const StoreOptions& options, rocksdb::Env* memory_env);
// Descriptors in the order meta, log, time_index, group_offsets.
std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(const StoreOptions& options);

// rocksdb::DB::Open with `families` (handles in their order), creating those the database
// lacks (all but the default one of a new database) in one CreateColumnFamilies call: RocksDB
// rewrites and re-reads its OPTIONS file after each CreateColumnFamily, which made a new
// store's open take several milliseconds. Errors: those of DB::Open and CreateColumnFamilies
// (then *db is null).
rocksdb::Status OpenDb(const rocksdb::DBOptions& options, const std::string& path,
                       const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
                       std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db);

}  // namespace brook::storage
