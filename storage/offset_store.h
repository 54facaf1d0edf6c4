// storage/offset_store.h: the committed offsets of consumer groups.
//
// A group commits, per topic partition, the offset of the next record it will process, with
// an optional metadata string. Commits are kept in the "group_offsets" column family, keyed by
// (group, topic, partition) (keys.h), and survive restarts and kill -9 once Commit returns.
// Several partitions commit in one RocksDB write: all or none.
//
// This is the storage half of consumer groups; the group coordinator (broker/) decides who
// may commit (membership, generations), this class only stores.
// Concurrency: thread-safe. Lifecycle: owned by LogStore, valid while it lives.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "protocol/types.h"
#include "storage/column_families.h"

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace brook::storage {

// The largest metadata string of one commit (docs/protocol.md, OffsetCommit).
inline constexpr size_t kMaxCommitMetadataBytes = 4096;

struct CommittedOffset {
  TopicPartition partition;
  // The next record the group will process. Stored as given, negative too: Kafka clients
  // commit -1 ("latest") and -2 ("earliest") for their consumers to resolve (kafkajs'
  // Admin.resetOffsets); readers treat a negative offset as no position.
  Offset offset;
  std::string metadata;       // Free text given at commit (at most 4 KiB).
  int64_t commit_time_ms = 0;
};

class OffsetStore {
 public:
  explicit OffsetStore(ColumnFamilies cfs) : cfs_(cfs) {}

  // Stores every commit of `group` in one atomic write; `sync` also fsyncs the WAL.
  // Errors: INVALID_REQUEST (empty group name, metadata over 4 KiB);
  // STORAGE_ERROR (nothing stored).
  absl::Status Commit(std::string_view group, std::span<const CommittedOffset> commits,
                      bool sync = false);
  // Adds the commits to `write`, for a caller that stores them atomically with other writes.
  // Errors: as Commit (nothing added then).
  absl::Status AddCommits(rocksdb::WriteBatch& write, std::string_view group,
                          std::span<const CommittedOffset> commits) const;

  // The group's commit for one partition, or nullopt. Errors: STORAGE_ERROR.
  absl::StatusOr<std::optional<CommittedOffset>> Fetch(std::string_view group,
                                                       const TopicPartition& partition) const;
  // Every commit of the group, ordered by topic then partition. Errors: STORAGE_ERROR.
  absl::StatusOr<std::vector<CommittedOffset>> FetchAll(std::string_view group) const;
  // Names of the groups that have commits, sorted. Errors: STORAGE_ERROR.
  absl::StatusOr<std::vector<std::string>> Groups() const;
  // Removes every commit of the group. Errors: STORAGE_ERROR.
  absl::Status DeleteGroup(std::string_view group);
  // Removes the group's commits of `partitions` in one write (a partition without a commit
  // is no error). Errors: STORAGE_ERROR (nothing removed).
  absl::Status Delete(std::string_view group, std::span<const TopicPartition> partitions);
  // Adds to `write` the removal of every group's commits of `topic` (being deleted: as in
  // Kafka, a topic created again under the name starts without them). Scans every commit.
  // Errors: STORAGE_ERROR (nothing added then).
  absl::Status AddTopicDeletion(rocksdb::WriteBatch& write, std::string_view topic) const;

 private:
  // Calls `visit` with every commit's key, group and topic, in key order. Errors: STORAGE_ERROR.
  absl::Status ForEachCommit(
      absl::FunctionRef<void(std::string_view key, std::string group, std::string topic)> visit)
      const;

  ColumnFamilies cfs_;
};

}  // namespace brook::storage
