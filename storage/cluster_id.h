// storage/cluster_id.h: the data directory's cluster id, made once and kept.
//
// Kafka clients see it in Metadata (and some check that it never changes under them). It is
// 22 characters of URL-safe base64 over 16 random bytes, Kafka's format, stored in the file
// `cluster.id` of the data directory, written atomically (temporary file, fsync, rename)
// the first time. Call it once the store has opened (and locked) the directory.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace brook::storage {

// A fresh id (for a store kept in memory, which has no file to keep it in).
std::string NewClusterId();

// The id in `data_dir`/cluster.id, creating it if the file does not exist. Errors:
// STORAGE_ERROR when the file cannot be read or written; DataLoss when it holds something that
// is not a cluster id.
absl::StatusOr<std::string> LoadOrCreateClusterId(const std::string& data_dir);

}  // namespace brook::storage
