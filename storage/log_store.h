// storage/log_store.h: brook's durable log: topics of partitions of record batches, in one
// RocksDB database under a data directory.
//
//   absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open({.data_dir = "/tmp/b"});
//   (*store)->CreateTopic("orders", 3, {{"retention.ms", "86400000"}});
//   (*store)->CreatePartitions("orders", 6);           // grows it to 6 partitions
//   (*store)->Append("orders", PartitionId(0), record_set);   // one or more v2 batches
//   (*store)->Read("orders", PartitionId(0), Offset(0), 1 << 20);
//   (*store)->EnforceRetention(now_ms);                   // periodically, from the broker
//   (*store)->DeleteRecords("orders", PartitionId(0), Offset(100));  // log start -> 100
//   (*store)->Compact("changelog", PartitionId(0), now_ms);  // when NeedsCompaction says so
//   (*store)->InitProducerId();                 // an idempotent producer's id, epoch 0
//   (*store)->ExpireProducers(now_ms);          // periodically, from the broker
//
// Operation: topic metadata lives in the "meta" column family and is written with fsync;
// batches live in "log", keyed by (topic id, partition, last offset). Topic ids are never
// reused, so a topic deleted and created again starts empty. Idempotent producers' state
// (producer_state.h) is kept per partition and written with their appends; producer ids are
// never reused either.
// Durability: Append returns once the batches are in RocksDB's WAL (a process crash loses
// nothing acknowledged); SyncWal makes them survive power loss, shared across callers.
// Concurrency: every method is thread-safe. Appends to one partition are serialized;
// retention, DeleteRecords and compaction of one partition are serialized with each other
// (not with appends or reads); everything else runs in parallel. Retention, DeleteRecords and
// compaction run on the caller's thread: the broker's background job calls them.
// Full disk: appends are refused before the disk fills up, and writes resume by themselves
// after it did (disk_guard.h).
// Lifecycle: the destructor fsyncs the WAL (unless writes are stopped: see disk_guard.h) and
// closes RocksDB; no call may be running.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <span>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "protocol/types.h"
#include "storage/dlq_ledger.h"
#include "storage/log_compactor.h"
#include "storage/offset_store.h"
#include "storage/partition_log.h"
#include "storage/producer_state.h"
#include "storage/segment.h"
#include "storage/store_options.h"
#include "storage/store_stats.h"
#include "storage/topic_config.h"
#include "storage/topic_record.h"
#include "storage/wal_syncer.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
class WriteBatch;
}  // namespace rocksdb

namespace brook::storage {

struct PartitionInfo {
  PartitionId partition;
  Offset log_start;
  Offset log_end;
};

// What retention removed from one partition.
struct TopicRetention {
  std::string topic;
  RetentionResult result;
};

struct TopicInfo {
  std::string name;
  uint32_t topic_id = 0;
  int64_t created_ms = 0;
  TopicConfig config;          // Resolved settings.
  ConfigOverrides overrides;   // What the topic sets itself.
  std::vector<PartitionInfo> partitions;
};

// A record sent to a dead-letter topic (AppendDeadLetter).
struct DeadLetterEntry {
  std::string group;      // The group that gave up on the record...
  TopicPartition source;  // ...the partition it is in...
  Offset source_offset;   // ...and its offset.
  CommittedOffset commit; // The group's commit past it, stored with the copy.
};

// A record replayed from a dead-letter topic (AppendReplay).
struct ReplayEntry {
  TopicPartition source;  // The original record (from its dead letter's headers)...
  Offset source_offset;
  std::string group;      // ...and the group that dead-lettered it: counted under (topic, group).
};

// What LogStore::Reset removed.
struct StoreReset {
  int32_t topics = 0;               // Topics that existed.
  std::vector<std::string> groups;  // Groups that had committed offsets, sorted.
};

// Where an appended-once record is.
struct MarkedAppend {
  RecordLocation location;
  bool duplicate = false;  // It was appended by an earlier call; nothing was appended now.
};

class DiskGuard;

// Turns off RocksDB's performance counters (its thread-local perf context) on the calling
// thread: brook never reads them, and counting costs a few percent of each append and read.
// Call it on each thread that serves appends or reads (the broker's network threads).
void DisableThreadPerfCounters();

class LogStore {
 public:
  // Opens (creating if needed) the store in options.data_dir and recovers every partition;
  // with options.in_memory, opens an empty store in memory.
  // Errors: STORAGE_ERROR when the directory cannot be created, is locked by another process,
  // its disk is full (the message says which), or RocksDB fails to recover; DataLoss when the data was written by an unknown format.
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(const StoreOptions& options);
  ~LogStore();
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // Errors: INVALID_TOPIC, INVALID_PARTITIONS (not in [1, max_partitions]), INVALID_CONFIG,
  // TOPIC_ALREADY_EXISTS, STORAGE_ERROR. With validate_only, checks and changes nothing.
  absl::Status CreateTopic(std::string_view name, int32_t partitions,
                           const ConfigOverrides& overrides, bool validate_only = false);
  // Removes the topic, all its data and every group's committed offsets of it (as Kafka does:
  // a topic created again under the name starts without them), in one atomic write. On a disk
  // short of space it also hands the topic's space back to the file system before returning
  // (disk_guard.h). Errors: UNKNOWN_TOPIC_OR_PARTITION, STORAGE_ERROR.
  absl::Status DeleteTopic(std::string_view name);
  // Removes every topic with its data, every group's committed offsets, every dead-letter
  // mark and counter and every idempotent producer's state, in one atomic write (range
  // deletions; in the WAL, not fsynced: durable once any later write is), as if the store
  // were new; calls on removed topics then fail with
  // UNKNOWN_TOPIC_OR_PARTITION. Topic ids and producer ids are still never reused (a topic
  // created again is a new topic to Kafka clients). Returns what it removed. Errors:
  // STORAGE_ERROR (nothing removed).
  absl::StatusOr<StoreReset> Reset();
  // Grows the topic to `count` partitions (Kafka's CreatePartitions: the total, not the number
  // added), durably (fsync). The new partitions are empty and take appends at once; calls on
  // the existing ones go on unaffected. With validate_only, checks and changes nothing.
  // Errors: UNKNOWN_TOPIC_OR_PARTITION; INVALID_PARTITIONS (`count` not above the current
  // count, or above max_partitions); STORAGE_ERROR.
  absl::Status CreatePartitions(std::string_view name, int32_t count, bool validate_only = false);

  std::vector<TopicInfo> ListTopics() const;
  // Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<TopicInfo> DescribeTopic(std::string_view name) const;
  // Whether the topic exists and is an event store (event.store=true); cheap.
  bool IsEventStore(std::string_view name) const;

  // Validates and appends a record set (one or more RecordBatch v2) to one partition.
  // Batches with a producer id follow Kafka's idempotence rules (producer_state.h): a record
  // set repeating batches among its producer's last 5 on the partition appends nothing and
  // returns the first one's original offset, with `duplicate` set.
  // Errors: UNKNOWN_TOPIC_OR_PARTITION; CORRUPT_MESSAGE (CRC, structure);
  // MESSAGE_TOO_LARGE (a batch over max.message.bytes); INVALID_RECORD (a keyless record on
  // a compacted topic, a negative producer epoch or sequence); UNSUPPORTED_COMPRESSION_TYPE;
  // INVALID_REQUEST (no batch); INVALID_PRODUCER_EPOCH; OUT_OF_ORDER_SEQUENCE_NUMBER;
  // DUPLICATE_SEQUENCE_NUMBER; STORAGE_ERROR. On every error nothing is appended.
  absl::StatusOr<AppendResult> Append(std::string_view topic, PartitionId partition,
                                      std::string_view record_set);

  // Dead letters: each append below writes its record and its bookkeeping (dlq_ledger.h) in
  // ONE atomic write, once: calls are serialized, and one that finds a live mark appends
  // nothing.
  //
  // The dead-letter copy of a record, made only when the group has no live one.
  struct DeadLetterCopy {
    std::string topic;       // The dead-letter topic...
    PartitionId partition;   // ...and partition to append to...
    std::string record_set;  // ...the copy.
  };
  using MakeDeadLetterCopy = absl::FunctionRef<absl::StatusOr<DeadLetterCopy>()>;
  // Dead-letters entry's source record for entry.group: appends make_copy()'s copy with,
  // atomically, the dead-letter mark, the count, the removal of the record's replay mark (a
  // record that failed again may be replayed again), and entry.commit unless the group's
  // commit is already at or past it. If the group's earlier copy is live (it still exists and
  // the record was not replayed since), calls nothing, only raises the group's commit to
  // entry.commit if it is below, and returns the copy's location with duplicate. Errors:
  // make_copy's; as Append; those of OffsetStore::Commit; UNKNOWN_TOPIC_OR_PARTITION naming the
  // source topic.
  absl::StatusOr<MarkedAppend> AppendDeadLetter(const DeadLetterEntry& entry,
                                                MakeDeadLetterCopy make_copy);
  // Where `group`'s dead-letter copy of the record at (source, offset) is, if it made one
  // (live or not). Errors: UNKNOWN_TOPIC_OR_PARTITION; STORAGE_ERROR.
  absl::StatusOr<std::optional<RecordLocation>> FindDeadLetter(const TopicPartition& source,
                                                               Offset offset,
                                                               std::string_view group) const;
  // Appends `record_set` (a replayed dead letter) to `to` with, atomically, the replay mark of
  // entry's original record and the count; or, if that record was replayed already (from any
  // group's copy), nothing (duplicate). Errors: as Append; UNKNOWN_TOPIC_OR_PARTITION naming
  // the original topic.
  absl::StatusOr<MarkedAppend> AppendReplay(const TopicPartition& to, std::string_view record_set,
                                            const ReplayEntry& entry);
  // Where the original record at (source, offset) was last replayed to, if it was.
  // Errors: UNKNOWN_TOPIC_OR_PARTITION; STORAGE_ERROR.
  absl::StatusOr<std::optional<RecordLocation>> FindReplay(const TopicPartition& source,
                                                           Offset offset) const;
  // Dead-letter counters of `topic` (a source topic; every topic when nullopt).
  absl::StatusOr<std::vector<DlqCounters>> DeadLetterCounters(
      std::optional<std::string_view> topic) const {
    return ledger_.Counters(topic);
  }

  // See PartitionLog::Read. Errors also: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<ReadResult> Read(std::string_view topic, PartitionId partition, Offset from,
                                  size_t max_bytes, bool min_one_batch = true) const;
  // See PartitionLog::ReadBatchesEndingAt. Errors also: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<BatchLookup> ReadBatchesEndingAt(std::string_view topic, PartitionId partition,
                                                  std::span<const int64_t> last_offsets) const;
  // See PartitionLog::OffsetForTimestamp. Errors also: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<TimestampLookup> OffsetForTimestamp(std::string_view topic,
                                                     PartitionId partition,
                                                     TimestampMs timestamp) const;
  // Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<PartitionInfo> Offsets(std::string_view topic, PartitionId partition) const;

  // Calls `done` once every append that returned before this call is fsynced (group commit).
  void SyncWal(WalSyncer::Done done);

  // Called after every successful append, outside any lock, from the appending thread.
  // REQUIRES: set before the store is shared between threads.
  void SetAppendListener(std::function<void(std::string_view topic, PartitionId)> listener);
  // Called after a topic is deleted (DeleteTopic; not Reset), outside any lock, from the
  // deleting thread. REQUIRES: set before the store is shared between threads.
  void SetDeleteListener(std::function<void(std::string_view topic)> listener);

  // Changes a topic's overrides: sets `to_set`, removes `to_remove` (back to the broker's
  // default), validates the result like CreateTopic, persists it (fsync) and applies it to
  // every later append, retention and compaction. With validate_only, changes nothing.
  // Changing cleanup.policy to compact is allowed; keyless records already stored are then
  // kept as they are. Errors: UNKNOWN_TOPIC_OR_PARTITION; INVALID_CONFIG (unknown key, bad
  // value, a key both set and removed); STORAGE_ERROR.
  absl::Status AlterTopicConfig(std::string_view name, const ConfigOverrides& to_set,
                                const std::vector<std::string>& to_remove,
                                bool validate_only = false);

  // Applies retention.ms / retention.bytes at `now_ms` to every partition of every topic whose
  // cleanup.policy deletes (PartitionLog::EnforceRetention). Returns the partitions that lost
  // segments. Errors: the first partition's STORAGE_ERROR (earlier ones stay done).
  absl::StatusOr<std::vector<TopicRetention>> EnforceRetention(int64_t now_ms);

  // Deletes the partition's records below `offset` (kHighWatermark: all of them), Kafka's
  // DeleteRecords (PartitionLog::DeleteRecordsBefore), durably. Returns the old and new log
  // start (the low watermark). Runs on the caller's thread and waits for a retention or
  // compaction of the partition in progress: the broker's log cleaner calls it. Errors:
  // UNKNOWN_TOPIC_OR_PARTITION; POLICY_VIOLATION when the topic's cleanup.policy is compact
  // only (as in Kafka); OFFSET_OUT_OF_RANGE; STORAGE_ERROR.
  absl::StatusOr<RetentionResult> DeleteRecords(std::string_view topic, PartitionId partition,
                                                Offset offset);

  // Compacts one partition of a compacted topic now (log_compactor.h). Errors:
  // UNKNOWN_TOPIC_OR_PARTITION; INVALID_REQUEST when the topic's cleanup.policy is delete;
  // STORAGE_ERROR; CORRUPT_MESSAGE.
  absl::StatusOr<CompactionStats> Compact(std::string_view topic, PartitionId partition,
                                          int64_t now_ms, const CompactionLimits& limits = {});
  // Compacts every partition of the topic in turn; the stats are summed. Errors: as Compact.
  absl::StatusOr<CompactionStats> CompactTopic(std::string_view topic, int64_t now_ms,
                                               const CompactionLimits& limits = {});
  // Whether the broker's scheduler should compact the partition now
  // (PartitionLog::NeedsCompaction); false for topics that do not compact.
  // Errors: UNKNOWN_TOPIC_OR_PARTITION, STORAGE_ERROR.
  absl::StatusOr<bool> NeedsCompaction(std::string_view topic, PartitionId partition,
                                       int64_t now_ms) const;
  // The partition's segments, oldest first. Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<std::vector<Segment>> Segments(std::string_view topic,
                                                PartitionId partition) const;

  // Idempotent producers.
  //
  // A new producer id, with epoch 0. Ids are never handed out twice, even across restarts and
  // crashes: they are reserved in blocks of kProducerIdBlock, each reservation fsynced before
  // the first id of the block is handed out (after a restart, the rest of the block is
  // skipped). Errors: STORAGE_ERROR.
  absl::StatusOr<ProducerIdAndEpoch> InitProducerId();
  // Forgets, in every partition, the producers that have not appended there for
  // producer_id_expiration_ms at `now_ms` (PartitionLog::ExpireProducers; cheap when there is
  // nothing to forget: no I/O). Returns how many states were removed. Errors: the first
  // partition's STORAGE_ERROR (earlier ones stay done).
  absl::StatusOr<int64_t> ExpireProducers(int64_t now_ms);
  // The producers' state on a partition. Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<ProducerEntries> Producers(std::string_view topic, PartitionId partition) const;
  static constexpr int64_t kProducerIdBlock = 1000;

  const StoreOptions& options() const { return options_; }
  // Whether appends would be taken now: OK, or the STORAGE_ERROR an append would get (the
  // disk short of space, or writes stopped and not resumable yet; disk_guard.h).
  absl::Status CheckAppendable();
  // Wall-clock ms since the epoch: StoreOptions::clock, or the system clock. Everything the
  // broker stamps or times by the wall clock reads it here, so one clock rules them all.
  int64_t NowMs() const;
  // The committed offsets of consumer groups, in the same database.
  OffsetStore& offsets() { return offsets_; }

  // For metrics (store_stats.h): every partition of every topic, by topic then partition.
  std::vector<PartitionStats> PartitionStatistics() const;
  // RocksDB's figures and the data directory's disk use (walks the directory).
  EngineStats EngineStatistics() const;
  // Append, with `also`'s writes in the same RocksDB write (PartitionLog::Append): for the
  // indexes other modules keep beside the log (the event store's). Errors: as Append, and
  // `also`'s (nothing is appended then).
  absl::StatusOr<AppendResult> AppendWith(std::string_view topic, PartitionId partition,
                                          std::string_view record_set,
                                          PartitionLog::AppendAlso also);
  // The database's handles, for those modules' own keys (valid for the store's lifetime).
  const ColumnFamilies& column_families() const { return cfs_; }

 private:
  struct Topic {
    std::string name;
    TopicRecord record;
    TopicConfig config;
    // Shared with the Topic that replaces this one when its config is altered or its
    // partitions are added to.
    std::vector<std::shared_ptr<PartitionLog>> partitions;
  };

  LogStore(StoreOptions options, std::unique_ptr<rocksdb::Env> memory_env,
           std::unique_ptr<DiskGuard> guard, ColumnFamilies cfs,
           std::vector<rocksdb::ColumnFamilyHandle*> handles);
  absl::Status LoadTopics();
  absl::Status LoadProducerIds();
  std::shared_ptr<const Topic> FindTopic(std::string_view name) const;
  // The partition, or UNKNOWN_TOPIC_OR_PARTITION naming what is missing.
  absl::StatusOr<PartitionLog*> FindPartition(std::string_view topic, PartitionId partition,
                                              std::shared_ptr<const Topic>* holder) const;
  TopicInfo Describe(const Topic& topic) const;
  // The id of a live topic. Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<uint32_t> TopicId(std::string_view name) const;
  // Whether a group's dead-letter copy still stands: it is in its topic's log and the record
  // was not replayed since. REQUIRES: dlq_mu_ held.
  absl::StatusOr<bool> CopyIsLive(uint32_t source_id, const DeadLetterEntry& entry,
                                  const RecordLocation& copy) const;
  // Whether the group's commit of the entry's partition is below entry.commit.
  absl::StatusOr<bool> CommitIsBehind(const DeadLetterEntry& entry) const;
  absl::StatusOr<std::shared_ptr<Topic>> OpenTopic(std::string name, TopicRecord record);
  // Opens and recovers partitions [from, to) of the topic with id `topic_id`.
  absl::StatusOr<std::vector<std::shared_ptr<PartitionLog>>> OpenPartitions(uint32_t topic_id,
                                                                            int32_t from,
                                                                            int32_t to);
  static absl::Status UnknownTopic(std::string_view name);
  // DeleteTopic's write, `write` holding the removal of the topic's commits (made before the
  // locks: it scans every commit); returns the deleted topic's id. Errors: as DeleteTopic.
  absl::StatusOr<uint32_t> DeleteTopicLocked(std::string_view name, rocksdb::WriteBatch& write)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(dlq_mu_, mu_);

  // After a deletion, on a disk short of space (DiskGuard::short_of_space): flushes every
  // memtable, so the WAL files holding what was deleted go too, and with `topic_id` (a deleted
  // topic) compacts its keys away so its files go. A failure goes to options_.log_sink: the
  // deletion itself is done.
  void ReclaimIfShort(std::optional<uint32_t> topic_id);

  const StoreOptions options_;
  std::unique_ptr<rocksdb::Env> memory_env_;  // The database's files when in_memory; else null.
  std::unique_ptr<DiskGuard> guard_;          // Outlives the database (holds its listener).
  ColumnFamilies cfs_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  OffsetStore offsets_;
  DlqLedger ledger_;
  // Serializes AppendDeadLetter, AppendReplay and DeleteTopic (check, then write). Taken
  // before mu_.
  absl::Mutex dlq_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<WalSyncer> syncer_;
  std::function<void(std::string_view, PartitionId)> append_listener_;
  std::function<void(std::string_view)> delete_listener_;

  absl::Mutex producer_ids_mu_;
  int64_t next_producer_id_ ABSL_GUARDED_BY(producer_ids_mu_) = 0;
  int64_t producer_ids_reserved_ ABSL_GUARDED_BY(producer_ids_mu_) = 0;  // Ids below: taken.

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Topic>> topics_ ABSL_GUARDED_BY(mu_);
  uint32_t next_topic_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace brook::storage
