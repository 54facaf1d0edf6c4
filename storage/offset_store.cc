#include "storage/offset_store.h"

#include <algorithm>
#include <memory>
#include <set>

#include "protocol/error_codes.h"
#include "protocol/wire.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/rocksdb_status.h"

namespace brook::storage {
namespace {

constexpr int8_t kOffsetValueVersion = 1;

std::string EncodeValue(const CommittedOffset& commit) {
  std::string value;
  wire::Writer w(&value);
  w.Int8(kOffsetValueVersion);
  w.Int64(commit.offset.value);
  w.Int64(commit.commit_time_ms);
  w.String(commit.metadata);
  return value;
}

// Decodes one stored commit. Errors: DataLoss for bytes that are not a version-1 value.
absl::StatusOr<CommittedOffset> Decode(std::string_view key, std::string_view value) {
  CommittedOffset commit;
  std::string group;
  int32_t partition = 0;
  wire::Reader r(value);
  const bool key_ok = DecodeGroupOffsetKey(key, &group, &commit.partition.topic, &partition);
  const int8_t version = r.Int8();
  commit.offset = Offset(r.Int64());
  commit.commit_time_ms = r.Int64();
  commit.metadata = r.String();
  if (!key_ok || version != kOffsetValueVersion || !r.ok()) {
    return absl::DataLossError("a committed offset is corrupt");
  }
  commit.partition.partition = PartitionId(partition);
  return commit;
}

}  // namespace

absl::Status OffsetStore::Commit(std::string_view group, std::span<const CommittedOffset> commits,
                                 bool sync) {
  rocksdb::WriteBatch write;
  if (absl::Status s = AddCommits(write, group, commits); !s.ok()) return s;
  rocksdb::WriteOptions options;
  options.sync = sync;
  return FromRocks(cfs_.db->Write(options, &write), "committing offsets");
}

absl::Status OffsetStore::AddCommits(rocksdb::WriteBatch& write, std::string_view group,
                                     std::span<const CommittedOffset> commits) const {
  if (group.empty()) return MakeError(ErrorCode::kInvalidRequest, "the group name is empty");
  for (const CommittedOffset& commit : commits) {
    if (commit.metadata.size() > kMaxCommitMetadataBytes) {
      return MakeError(ErrorCode::kInvalidRequest, "commit metadata is over 4 KiB");
    }
  }
  for (const CommittedOffset& commit : commits) {
    write.Put(cfs_.group_offsets,
              GroupOffsetKey(group, commit.partition.topic, commit.partition.partition.value),
              EncodeValue(commit));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<CommittedOffset>> OffsetStore::Fetch(
    std::string_view group, const TopicPartition& partition) const {
  const std::string key = GroupOffsetKey(group, partition.topic, partition.partition.value);
  std::string value;
  rocksdb::Status s = cfs_.db->Get(rocksdb::ReadOptions(), cfs_.group_offsets, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading a committed offset");
  absl::StatusOr<CommittedOffset> commit = Decode(key, value);
  if (!commit.ok()) return commit.status();
  return *std::move(commit);
}

absl::StatusOr<std::vector<CommittedOffset>> OffsetStore::FetchAll(std::string_view group) const {
  const std::string prefix = GroupPrefix(group);
  std::unique_ptr<rocksdb::Iterator> it(
      cfs_.db->NewIterator(rocksdb::ReadOptions(), cfs_.group_offsets));
  std::vector<CommittedOffset> commits;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    absl::StatusOr<CommittedOffset> commit =
        Decode(it->key().ToStringView(), it->value().ToStringView());
    if (!commit.ok()) return commit.status();
    commits.push_back(*std::move(commit));
  }
  if (absl::Status s = FromRocks(it->status(), "reading committed offsets"); !s.ok()) return s;
  std::sort(commits.begin(), commits.end(), [](const CommittedOffset& a, const CommittedOffset& b) {
    return a.partition < b.partition;
  });
  return commits;
}

absl::Status OffsetStore::ForEachCommit(
    absl::FunctionRef<void(std::string_view key, std::string group, std::string topic)> visit)
    const {
  std::unique_ptr<rocksdb::Iterator> it(
      cfs_.db->NewIterator(rocksdb::ReadOptions(), cfs_.group_offsets));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string group, topic;
    int32_t partition = 0;
    if (DecodeGroupOffsetKey(it->key().ToStringView(), &group, &topic, &partition)) {
      visit(it->key().ToStringView(), std::move(group), std::move(topic));
    }
  }
  return FromRocks(it->status(), "reading committed offsets");
}

absl::StatusOr<std::vector<std::string>> OffsetStore::Groups() const {
  std::set<std::string> groups;
  absl::Status s = ForEachCommit(
      [&](std::string_view, std::string group, std::string) { groups.insert(std::move(group)); });
  if (!s.ok()) return s;
  return std::vector<std::string>(groups.begin(), groups.end());
}

absl::Status OffsetStore::DeleteGroup(std::string_view group) {
  absl::StatusOr<std::vector<CommittedOffset>> commits = FetchAll(group);
  if (!commits.ok()) return commits.status();
  std::vector<TopicPartition> partitions;
  for (const CommittedOffset& commit : *commits) partitions.push_back(commit.partition);
  return Delete(group, partitions);
}

absl::Status OffsetStore::Delete(std::string_view group,
                                 std::span<const TopicPartition> partitions) {
  rocksdb::WriteBatch write;
  for (const TopicPartition& partition : partitions) {
    write.Delete(cfs_.group_offsets,
                 GroupOffsetKey(group, partition.topic, partition.partition.value));
  }
  return FromRocks(cfs_.db->Write(rocksdb::WriteOptions(), &write), "deleting a group's offsets");
}

absl::Status OffsetStore::AddTopicDeletion(rocksdb::WriteBatch& write,
                                           std::string_view topic) const {
  std::vector<std::string> keys;
  absl::Status s = ForEachCommit([&](std::string_view key, std::string, std::string committed) {
    if (committed == topic) keys.emplace_back(key);
  });
  if (!s.ok()) return s;
  for (const std::string& key : keys) write.Delete(cfs_.group_offsets, key);
  return absl::OkStatus();
}

}  // namespace brook::storage
