// storage/rocksdb_status.h: converts RocksDB's status to brook's error model; write options.
// Internal to storage/ (.cc files only): it includes RocksDB.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "rocksdb/options.h"
#include "rocksdb/status.h"

namespace brook::storage {

// OK stays OK; any failure becomes STORAGE_ERROR with `what` and RocksDB's message (which
// names the cause, e.g. "No space left on device").
inline absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return MakeError(ErrorCode::kKafkaStorageError, fmt::format("{}: {}", what, s.ToString()));
}

// Write options that fsync the WAL before returning: for metadata (topics, configs).
inline rocksdb::WriteOptions SyncedWrite() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

}  // namespace brook::storage
