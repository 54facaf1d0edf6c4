#include "storage/db_options.h"

#include <algorithm>

#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "storage/event_store/event_keys.h"
#include "storage/keys.h"
#include "storage/rocksdb_logger.h"

namespace brook::storage {
namespace {

// A memtable insert hint's prefix of a column family's keys: RocksDB inserts a key from where
// the last key with the same prefix went, instead of searching its skip list from the top.
// `length` gives the prefix's length, 0 for a key that takes no hint.
//
// RocksDB 7.8 (Debian 12's) shares the hints between a memtable's point keys and its range
// deletions (fixed in later versions): a range deletion whose start key takes a hint corrupts
// the memtable. So no key a DeleteRange of brook's starts at may take one: those are topic and
// partition prefixes, single tags, the meta segment prefix and snapshot keys, all outside.
class HintPrefix final : public rocksdb::SliceTransform {
 public:
  using Length = size_t (*)(std::string_view key);
  HintPrefix(const char* name, Length length) : name_(name), length_(length) {}
  const char* Name() const override { return name_; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return {key.data(), length_(key.ToStringView())};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return length_(key.ToStringView()) > 0;
  }

 private:
  const char* name_;
  Length length_;
};

// Log keys (topic | partition | offset, 16 bytes) and time index keys (24 bytes) share their
// partition's prefix; range deletions start at a topic or partition prefix.
size_t LogHint(std::string_view key) { return key.size() == 16 ? kPartitionPrefixSize : 0; }
size_t TimeIndexHint(std::string_view key) {
  return key.size() == 24 ? kPartitionPrefixSize : 0;
}
// Segment records ('S' | log key, 17 bytes): rewritten at every append.
size_t MetaHint(std::string_view key) {
  return key.size() == 17 && key[0] == kMetaSegmentTag ? kPartitionPrefixSize + 1 : 0;
}

}  // namespace

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

  rocksdb::ColumnFamilyOptions group_offsets;
  group_offsets.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  // Appends write keys in order within a partition: each is inserted next to the last one.
  rocksdb::ColumnFamilyOptions meta = group_offsets;
  meta.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<HintPrefix>("brook.MetaHint", MetaHint);

  rocksdb::ColumnFamilyOptions log = meta;
  log.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<HintPrefix>("brook.LogHint", LogHint);
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
  time_index.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<HintPrefix>("brook.TimeIndexHint", TimeIndexHint);

  // The event store's index is read by point lookups that mostly miss (is this event id
  // new? does this stream exist?): Bloom filters answer those without searching the
  // memtable's skip list or reading SST blocks.
  rocksdb::BlockBasedTableOptions events_table = table;
  events_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions events;
  events.table_factory.reset(rocksdb::NewBlockBasedTableFactory(events_table));
  events.memtable_whole_key_filtering = true;
  events.memtable_prefix_bloom_size_ratio = 0.05;
  events.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<HintPrefix>("brook.EventsHint", events::InsertHintPrefixLength);
  return {{kMetaColumnFamily, meta},
          {kLogColumnFamily, log},
          {kTimeIndexColumnFamily, time_index},
          {kGroupOffsetsColumnFamily, group_offsets},
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
