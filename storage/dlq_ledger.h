// storage/dlq_ledger.h: what brook remembers about dead letters, beside the log.
//
// The dead-letter service (broker/) needs three facts to stay exact across retries and crashes:
//  - a dead-letter mark per (source record, group): where that group's DLQ copy of the record
//    is, so that a repeated dead-letter request adds no second copy;
//  - a replay mark per original record: where its dead letter was replayed to, so that the
//    record is replayed once, however many groups dead-lettered it (a new dead-lettering
//    clears it: a record that failed again may be replayed again);
//  - counters per (source topic, group): records dead-lettered and records replayed.
// They live in the "meta" column family (keys.h: 'D', 'R', 'K'). LogStore writes each mark and
// counter in the same atomic RocksDB write as the record it concerns (AppendDeadLetter,
// AppendReplay); this class encodes those writes and reads them back.
//
// Concurrency: reads are thread-safe. Add* read the counter they increment, so writes that
// count the same (topic, group) must be serialized by the caller (LogStore does).
// Lifecycle: owned by LogStore, valid while it lives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/types.h"
#include "storage/column_families.h"

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace brook::storage {

// Where one record is.
struct RecordLocation {
  TopicPartition partition;
  Offset offset;
};

// The counters of one (source topic, consumer group).
struct DlqCounters {
  std::string topic;         // The topic the records came from.
  std::string group;         // The group that dead-lettered them.
  int64_t dead_lettered = 0; // Records the group sent to the dead-letter topic.
  int64_t replayed = 0;      // Of those, records replayed to `topic` since.
};

class DlqLedger {
 public:
  explicit DlqLedger(ColumnFamilies cfs) : cfs_(cfs) {}

  // Where `group`'s DLQ copy of the record at (topic_id, partition, offset) is, if it has one.
  // Errors: STORAGE_ERROR; DataLoss for a corrupt mark.
  absl::StatusOr<std::optional<RecordLocation>> FindDeadLetter(uint32_t topic_id,
                                                               int32_t partition, int64_t offset,
                                                               std::string_view group) const;
  // Where the original record at (topic_id, partition, offset) was last replayed to, if it was.
  absl::StatusOr<std::optional<RecordLocation>> FindReplay(uint32_t topic_id, int32_t partition,
                                                           int64_t offset) const;
  // The counters of `topic` (every topic when nullopt), sorted by topic then group.
  // Errors: STORAGE_ERROR; DataLoss.
  absl::StatusOr<std::vector<DlqCounters>> Counters(std::optional<std::string_view> topic) const;

  // Adds to `write`: the dead-letter mark (source record -> `copy`) and +1 dead_lettered for
  // (source topic, group). Errors: STORAGE_ERROR, DataLoss (reading the counter).
  absl::Status AddDeadLetter(rocksdb::WriteBatch& write, uint32_t source_topic_id,
                             const TopicPartition& source, int64_t source_offset,
                             std::string_view group, const RecordLocation& copy) const;
  // Adds to `write`: the replay mark of the original record (topic_id, partition, offset) ->
  // `replayed_to`, and +1 replayed for (replayed_to's topic, group). Errors: as AddDeadLetter.
  absl::Status AddReplay(rocksdb::WriteBatch& write, uint32_t topic_id, int32_t partition,
                         int64_t offset, std::string_view group,
                         const RecordLocation& replayed_to) const;
  // Adds to `write` the removal of the original record's replay mark.
  void ClearReplay(rocksdb::WriteBatch& write, uint32_t topic_id, int32_t partition,
                   int64_t offset) const;

 private:
  absl::StatusOr<std::optional<RecordLocation>> FindMark(const std::string& key) const;
  // Adds `counter` (dead_lettered, replayed) to the stored counters of (topic, group).
  absl::Status AddCounts(rocksdb::WriteBatch& write, std::string_view topic,
                         std::string_view group, int64_t dead_lettered, int64_t replayed) const;

  ColumnFamilies cfs_;
};

}  // namespace brook::storage
