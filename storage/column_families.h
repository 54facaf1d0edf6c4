// storage/column_families.h: the RocksDB handles shared by the store's parts.
// Owned by LogStore; valid for the LogStore's lifetime. See keys.h for what each holds.
#pragma once

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace brook::storage {

struct ColumnFamilies {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* time_index = nullptr;
  rocksdb::ColumnFamilyHandle* group_offsets = nullptr;
  rocksdb::ColumnFamilyHandle* events = nullptr;  // The event store's index (event_keys.h).
};

}  // namespace brook::storage
