#include "storage/db_options.h"

#include <algorithm>

#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "storage/rocksdb_logger.h"

namespace brook::storage {

rocksdb::DBOptions MakeDbOptions(const StoreOptions& options, rocksdb::Env* memory_env) {
  rocksdb::DBOptions db;
  if (memory_env != nullptr) db.env = memory_env;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.max_background_jobs = 4;  // Two flushes can run at once: the log is write-heavy.
  db.bytes_per_sync = 1 << 20;
  db.max_total_wal_size = 512 << 20;  // Bounds recovery time after a crash.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db.enable_pipelined_write = false;
  db.info_log = std::make_shared<ForwardingLogger>(options.log_sink);
  return db;
}

std::vector<rocksdb::ColumnFamilyDescriptor> MakeColumnFamilies(const StoreOptions& options) {
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;

  rocksdb::ColumnFamilyOptions meta;
  meta.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  rocksdb::ColumnFamilyOptions log = meta;
  log.write_buffer_size = options.write_buffer_bytes;
  log.max_write_buffer_number = 6;  // Absorbs bursts while flushes catch up.
  log.compression = rocksdb::kNoCompression;  // Producers choose compression per batch.
  log.enable_blob_files = true;
  log.min_blob_size = 512;
  log.blob_file_size = 256 << 20;
  log.blob_compression_type = rocksdb::kNoCompression;
  log.enable_blob_garbage_collection = true;
  // Retention and compaction free the oldest data, so the oldest half of the blob files is
  // where garbage collects: compactions relocate its live blobs, and a file that is half
  // garbage is compacted on purpose, so the space comes back even when the rest of its
  // SST's keys stay (RocksDB's defaults: 0.25 and never).
  log.blob_garbage_collection_age_cutoff = 0.5;
  log.blob_garbage_collection_force_threshold = 0.5;

  rocksdb::ColumnFamilyOptions time_index = meta;

  // The event store's index is read by point lookups that mostly miss (is this event id
  // new? does this stream exist?): Bloom filters answer those without searching the
  // memtable's skip list or reading SST blocks.
  rocksdb::BlockBasedTableOptions events_table = table;
  events_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions events;
  events.table_factory.reset(rocksdb::NewBlockBasedTableFactory(events_table));
  events.memtable_whole_key_filtering = true;
  events.memtable_prefix_bloom_size_ratio = 0.05;
  return {{kMetaColumnFamily, meta},
          {kLogColumnFamily, log},
          {kTimeIndexColumnFamily, time_index},
          {kGroupOffsetsColumnFamily, meta},
          {kEventsColumnFamily, events}};
}

rocksdb::Status OpenDb(const rocksdb::DBOptions& options, const std::string& path,
                       const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
                       std::vector<rocksdb::ColumnFamilyHandle*>* handles, rocksdb::DB** db) {
  std::vector<std::string> existing;
  if (!rocksdb::DB::ListColumnFamilies(options, path, &existing).ok()) {
    existing = {rocksdb::kDefaultColumnFamilyName};  // A new database.
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> present;
  std::vector<rocksdb::ColumnFamilyDescriptor> missing;
  for (const rocksdb::ColumnFamilyDescriptor& family : families) {
    const bool exists = std::find(existing.begin(), existing.end(), family.name) != existing.end();
    (exists ? present : missing).push_back(family);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  rocksdb::Status s = rocksdb::DB::Open(options, path, present, &opened, db);
  if (!s.ok()) return s;
  std::vector<rocksdb::ColumnFamilyHandle*> created;
  if (!missing.empty()) s = (*db)->CreateColumnFamilies(missing, &created);
  opened.insert(opened.end(), created.begin(), created.end());
  if (!s.ok()) {
    for (rocksdb::ColumnFamilyHandle* handle : opened) {
      (*db)->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    delete *db;
    *db = nullptr;
    return s;
  }
  handles->clear();
  for (const rocksdb::ColumnFamilyDescriptor& family : families) {
    for (rocksdb::ColumnFamilyHandle* handle : opened) {
      if (handle->GetName() == family.name) handles->push_back(handle);
    }
  }
  return s;
}

}  // namespace brook::storage
