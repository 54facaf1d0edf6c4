// LogStore's runtime config changes, retention, record deletion and compaction (declared in
// log_store.h).
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "rocksdb/db.h"
#include "storage/disk_guard.h"
#include "storage/keys.h"
#include "storage/log_store.h"
#include "storage/rocksdb_status.h"

namespace brook::storage {

absl::Status LogStore::AlterTopicConfig(std::string_view name, const ConfigOverrides& to_set,
                                        const std::vector<std::string>& to_remove,
                                        bool validate_only) {
  for (const std::string& key : to_remove) {
    if (absl::Status s = ValidateConfigKey(key); !s.ok()) return s;
    if (to_set.contains(key)) {
      return MakeError(ErrorCode::kInvalidConfig,
                       fmt::format("topic config '{}' is both set and removed", key));
    }
  }
  absl::MutexLock lock(&mu_);
  auto it = topics_.find(ToAbsl(name));
  if (it == topics_.end()) return UnknownTopic(name);
  TopicRecord record = it->second->record;
  for (const std::string& key : to_remove) record.overrides.erase(key);
  for (const auto& [key, value] : to_set) record.overrides[key] = value;
  absl::StatusOr<TopicConfig> config = ResolveTopicConfig(options_.topic_defaults, record.overrides);
  if (!config.ok()) return config.status();
  if (validate_only) return absl::OkStatus();
  rocksdb::Status s =
      cfs_.db->Put(SyncedWrite(), cfs_.meta, MetaTopicKey(name), EncodeTopicRecord(record));
  if (absl::Status st = FromRocks(s, "altering a topic's config"); !st.ok()) return st;
  // Calls holding the old Topic finish with the old config; every later one sees the new.
  auto altered = std::make_shared<Topic>(*it->second);
  altered->record = std::move(record);
  altered->config = *config;
  it->second = std::move(altered);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TopicRetention>> LogStore::EnforceRetention(int64_t now_ms) {
  // The broker calls this periodically: stopped writes resume here when no client writes.
  if (absl::Status s = guard_->CheckWrite(); !s.ok()) return s;
  std::vector<std::shared_ptr<const Topic>> topics;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_) {
      if (topic->config.deletes()) topics.push_back(topic);
    }
  }
  std::vector<TopicRetention> removed;
  for (const auto& topic : topics) {
    for (const auto& partition : topic->partitions) {
      absl::StatusOr<RetentionResult> result = partition->EnforceRetention(topic->config, now_ms);
      if (CodeOf(result.status()) == ErrorCode::kUnknownTopicOrPartition) break;  // Deleted.
      if (!result.ok()) return result.status();
      if (result->segments_deleted > 0) removed.push_back(TopicRetention{topic->name, *result});
    }
  }
  if (!removed.empty()) ReclaimIfShort(std::nullopt);
  return removed;
}

absl::StatusOr<RetentionResult> LogStore::DeleteRecords(std::string_view topic,
                                                        PartitionId partition, Offset offset) {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  if (!holder->config.deletes()) {
    return MakeError(ErrorCode::kPolicyViolation,
                     fmt::format("records of topic '{}' cannot be deleted: its cleanup.policy is "
                                 "compact (add delete to it first)",
                                 topic));
  }
  if (absl::Status s = guard_->CheckWrite(); !s.ok()) return s;
  absl::StatusOr<RetentionResult> result = (*log)->DeleteRecordsBefore(offset);
  if (result.ok()) ReclaimIfShort(std::nullopt);
  return result;
}

absl::StatusOr<CompactionStats> LogStore::Compact(std::string_view topic, PartitionId partition,
                                                  int64_t now_ms,
                                                  const CompactionLimits& limits) {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  if (!holder->config.compacts()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("topic '{}' is not compacted (cleanup.policy=delete)", topic));
  }
  return (*log)->Compact(holder->config, now_ms, limits);
}

absl::StatusOr<CompactionStats> LogStore::CompactTopic(std::string_view topic, int64_t now_ms,
                                                       const CompactionLimits& limits) {
  std::shared_ptr<const Topic> holder = FindTopic(topic);
  if (holder == nullptr) return UnknownTopic(topic);
  CompactionStats total;
  total.finished = true;
  for (const auto& partition : holder->partitions) {
    absl::StatusOr<CompactionStats> stats = Compact(topic, partition->partition(), now_ms, limits);
    if (!stats.ok()) return stats.status();
    total += *stats;
  }
  return total;
}

absl::StatusOr<bool> LogStore::NeedsCompaction(std::string_view topic, PartitionId partition,
                                               int64_t now_ms) const {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  if (!holder->config.compacts()) return false;
  return (*log)->NeedsCompaction(holder->config, now_ms);
}

absl::StatusOr<std::vector<Segment>> LogStore::Segments(std::string_view topic,
                                                        PartitionId partition) const {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  return (*log)->segments();
}

}  // namespace brook::storage
