// LogStore's dead-letter appends and their bookkeeping (declared in log_store.h).
#include "protocol/error_codes.h"
#include "rocksdb/write_batch.h"
#include "storage/log_store.h"

namespace brook::storage {

absl::StatusOr<uint32_t> LogStore::TopicId(std::string_view name) const {
  std::shared_ptr<const Topic> topic = FindTopic(name);
  if (topic == nullptr) return UnknownTopic(name);
  return topic->record.topic_id;
}

absl::StatusOr<std::optional<RecordLocation>> LogStore::FindDeadLetter(
    const TopicPartition& source, Offset offset, std::string_view group) const {
  absl::StatusOr<uint32_t> id = TopicId(source.topic);
  if (!id.ok()) return id.status();
  return ledger_.FindDeadLetter(*id, source.partition.value, offset.value, group);
}

absl::StatusOr<std::optional<RecordLocation>> LogStore::FindReplay(const TopicPartition& source,
                                                                   Offset offset) const {
  absl::StatusOr<uint32_t> id = TopicId(source.topic);
  if (!id.ok()) return id.status();
  return ledger_.FindReplay(*id, source.partition.value, offset.value);
}

absl::StatusOr<bool> LogStore::CopyIsLive(uint32_t source_id, const DeadLetterEntry& entry,
                                          const RecordLocation& copy) const {
  absl::StatusOr<std::optional<RecordLocation>> replayed = ledger_.FindReplay(
      source_id, entry.source.partition.value, entry.source_offset.value);
  if (!replayed.ok()) return replayed.status();
  if (replayed->has_value()) return false;
  absl::StatusOr<PartitionInfo> dlq = Offsets(copy.partition.topic, copy.partition.partition);
  if (!dlq.ok()) return false;  // The dead-letter topic was deleted.
  return copy.offset >= dlq->log_start && copy.offset < dlq->log_end;
}

absl::StatusOr<bool> LogStore::CommitIsBehind(const DeadLetterEntry& entry) const {
  absl::StatusOr<std::optional<CommittedOffset>> committed =
      offsets_.Fetch(entry.group, entry.commit.partition);
  if (!committed.ok()) return committed.status();
  return !committed->has_value() || (*committed)->offset < entry.commit.offset;
}

absl::StatusOr<MarkedAppend> LogStore::AppendDeadLetter(const DeadLetterEntry& entry,
                                                        MakeDeadLetterCopy make_copy) {
  absl::MutexLock lock(&dlq_mu_);
  absl::StatusOr<uint32_t> source_id = TopicId(entry.source.topic);
  if (!source_id.ok()) return source_id.status();
  const int32_t partition = entry.source.partition.value;
  const int64_t offset = entry.source_offset.value;
  absl::StatusOr<std::optional<RecordLocation>> existing =
      ledger_.FindDeadLetter(*source_id, partition, offset, entry.group);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    absl::StatusOr<bool> live = CopyIsLive(*source_id, entry, **existing);
    if (!live.ok()) return live.status();
    if (*live) {
      absl::StatusOr<bool> behind = CommitIsBehind(entry);
      if (!behind.ok()) return behind.status();
      if (*behind) {
        if (absl::Status s = offsets_.Commit(entry.group, {&entry.commit, 1}); !s.ok()) return s;
      }
      return MarkedAppend{**existing, true};
    }
  }
  absl::StatusOr<DeadLetterCopy> copy = make_copy();
  if (!copy.ok()) return copy.status();
  RecordLocation location{{copy->topic, copy->partition}, Offset(0)};
  absl::StatusOr<AppendResult> appended = AppendWith(
      copy->topic, copy->partition, copy->record_set,
      [&](rocksdb::WriteBatch& write, Offset base) -> absl::Status {
        location.offset = base;
        // Never move the group's commit back (its members may have committed past it).
        absl::StatusOr<bool> behind = CommitIsBehind(entry);
        if (!behind.ok()) return behind.status();
        if (*behind) {
          if (absl::Status s = offsets_.AddCommits(write, entry.group, {&entry.commit, 1});
              !s.ok()) {
            return s;
          }
        }
        ledger_.ClearReplay(write, *source_id, partition, offset);
        return ledger_.AddDeadLetter(write, *source_id, entry.source, offset, entry.group,
                                     location);
      });
  if (!appended.ok()) return appended.status();
  return MarkedAppend{std::move(location), false};
}

absl::StatusOr<MarkedAppend> LogStore::AppendReplay(const TopicPartition& to,
                                                    std::string_view record_set,
                                                    const ReplayEntry& entry) {
  absl::MutexLock lock(&dlq_mu_);
  absl::StatusOr<uint32_t> source_id = TopicId(entry.source.topic);
  if (!source_id.ok()) return source_id.status();
  const int32_t partition = entry.source.partition.value;
  const int64_t offset = entry.source_offset.value;
  absl::StatusOr<std::optional<RecordLocation>> existing =
      ledger_.FindReplay(*source_id, partition, offset);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return MarkedAppend{**existing, true};
  RecordLocation replayed{to, Offset(0)};
  absl::StatusOr<AppendResult> appended =
      AppendWith(to.topic, to.partition, record_set,
                 [&](rocksdb::WriteBatch& write, Offset base) -> absl::Status {
                   replayed.offset = base;
                   return ledger_.AddReplay(write, *source_id, partition, offset, entry.group,
                                            replayed);
                 });
  if (!appended.ok()) return appended.status();
  return MarkedAppend{std::move(replayed), false};
}

}  // namespace brook::storage
