// LogStore::Reset (declared in log_store.h): everything but the store's own counters goes in
// one WriteBatch of range deletions, so its cost does not grow with the data.
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/log_store.h"
#include "storage/rocksdb_status.h"

namespace brook::storage {

absl::StatusOr<StoreReset> LogStore::Reset() {
  absl::MutexLock dlq_lock(&dlq_mu_);  // No dead letter is being written meanwhile.
  absl::MutexLock lock(&mu_);
  StoreReset reset;
  absl::StatusOr<std::vector<std::string>> groups = offsets_.Groups();
  if (!groups.ok()) return groups.status();
  reset.groups = *std::move(groups);
  reset.topics = static_cast<int32_t>(topics_.size());

  // Fences appends first (as DeleteTopic does): one that finished before is in the ranges.
  for (const auto& [name, topic] : topics_) {
    for (const auto& partition : topic->partitions) partition->MarkDeleted();
  }
  rocksdb::WriteBatch write;
  // Meta keeps its format version ('V'), next topic id ('N') and producer id block ('I'):
  // ids are never reused.
  for (char tag : {kMetaTopicTag, kMetaPartitionStateTag, kMetaSegmentTag,
                   kMetaCleanerCheckpointTag, kMetaDeadLetterTag, kMetaReplayTag,
                   kMetaDlqCounterTag, kMetaProducerTag}) {
    write.DeleteRange(cfs_.meta, std::string(1, tag), std::string(1, static_cast<char>(tag + 1)));
  }
  // Every topic id in use is below next_topic_id_.
  write.DeleteRange(cfs_.log, TopicPrefix(0), TopicPrefix(next_topic_id_));
  write.DeleteRange(cfs_.time_index, TopicPrefix(0), TopicPrefix(next_topic_id_));
  write.DeleteRange(cfs_.events, TopicPrefix(0), TopicPrefix(next_topic_id_));
  // A group key starts with its u16 length, at most 0x7fff: all sort below 0xff.
  write.DeleteRange(cfs_.group_offsets, std::string(), std::string(1, '\xff'));
  // In the WAL without an fsync of its own (one costs milliseconds, the whole reset otherwise):
  // it survives a crash of the process, and the next fsynced write (a topic's creation, an
  // acks=all append) makes it survive power loss too, the WAL being written in order.
  if (absl::Status s = FromRocks(cfs_.db->Write(rocksdb::WriteOptions(), &write),
                                 "resetting the store");
      !s.ok()) {
    return s;
  }
  topics_.clear();
  return reset;
}

}  // namespace brook::storage
