#include "storage/log_store.h"

#include <chrono>
#include <filesystem>
#include <system_error>

#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/perf_level.h"
#include "rocksdb/write_batch.h"
#include "storage/db_options.h"
#include "storage/disk_guard.h"
#include "storage/keys.h"
#include "storage/rocksdb_status.h"

namespace brook::storage {
namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Validates every batch of a record set against the topic's settings.
absl::StatusOr<std::vector<ValidatedBatch>> ValidateRecordSet(std::string_view record_set,
                                                              const TopicConfig& config,
                                                              std::string_view topic) {
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(record_set);
  if (!batches.ok()) return batches.status();
  if (batches->empty()) return MakeError(ErrorCode::kInvalidRequest, "no record batch to append");
  std::vector<ValidatedBatch> validated;
  validated.reserve(batches->size());
  for (std::string_view batch : *batches) {
    if (batch.size() > static_cast<size_t>(config.max_message_bytes)) {
      return MakeError(ErrorCode::kMessageTooLarge,
                       fmt::format("a batch of {} bytes exceeds topic '{}' max.message.bytes={}", batch.size(), topic, config.max_message_bytes));
    }
    absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
    if (!summary.ok()) return summary.status();
    if (summary->has_null_key && config.cleanup_policy != CleanupPolicy::kDelete) {
      return MakeError(ErrorCode::kInvalidRecord,
                       fmt::format("topic '{}' is compacted: every record needs a key", topic));
    }
    validated.push_back(ValidatedBatch{batch, *summary});
  }
  return validated;
}

// Open's error for `path`: says when the disk is full, and names the lock only when another
// process holds it.
absl::Status OpenError(const std::string& path, const rocksdb::Status& s) {
  const std::string what = s.ToString();
  if (s.IsNoSpace() || what.find("No space left") != std::string::npos) {
    return MakeError(ErrorCode::kKafkaStorageError,
                     fmt::format("cannot open data dir '{}': its disk is full ({}); free space "
                                 "there and start brook again",
                                 path, what));
  }
  if (what.find("While lock file") != std::string::npos ||
      what.find("lock hold by current process") != std::string::npos) {
    return FromRocks(s, fmt::format("cannot open data dir '{}': another process holds its lock "
                                    "(is another brook using it?)",
                                    path));
  }
  return FromRocks(s, fmt::format("cannot open data dir '{}'", path));
}

// Checks the directory's format version and marks it as the current one (fsynced). Older
// versions need no conversion (docs/storage.md, "Format version"): version 1's last batches
// were never compacted, so they and the active segment's record agree on the log end, and
// version 3's per-event revision entries read as runs of one. Marking it current keeps an
// older brook, which would misread it, from opening it. Errors: DataLoss for an unknown
// version; STORAGE_ERROR.
absl::Status UpgradeFormatVersion(const ColumnFamilies& cfs, const std::string& data_dir) {
  std::string version;
  rocksdb::Status s = cfs.db->Get(rocksdb::ReadOptions(), cfs.meta, MetaVersionKey(), &version);
  if (s.ok()) {
    const uint32_t found = version.size() == 4 ? DecodeU32(version) : 0;
    if (found < kOldestReadableFormatVersion || found > kStorageFormatVersion) {
      return absl::DataLossError(fmt::format("data dir '{}' was written by an unknown storage format", data_dir));
    }
    if (found == kStorageFormatVersion) return absl::OkStatus();
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the storage format version");
  }
  s = cfs.db->Put(SyncedWrite(), cfs.meta, MetaVersionKey(), EncodeU32(kStorageFormatVersion));
  return FromRocks(s, "writing the storage format version");
}

}  // namespace

void DisableThreadPerfCounters() { rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable); }

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(const StoreOptions& options) {
  std::unique_ptr<rocksdb::Env> memory_env;
  std::string path = options.data_dir;
  if (options.in_memory) {
    memory_env.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    path = "/brook-in-memory";  // A name in the in-memory file system only.
    if (rocksdb::Status s = memory_env->CreateDirIfMissing(path); !s.ok()) {
      return FromRocks(s, "creating the in-memory store");
    }
  } else {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
      return MakeError(ErrorCode::kKafkaStorageError,
                       fmt::format("cannot create data dir '{}': {}", path, ec.message()));
    }
  }
  auto guard = std::make_unique<DiskGuard>(path, options.in_memory, options.min_free_bytes,
                                           options.log_sink);
  rocksdb::DBOptions db_options = MakeDbOptions(options, memory_env.get());
  db_options.listeners.push_back(guard->listener());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = OpenDb(db_options, path, MakeColumnFamilies(options), &handles, &db);
  if (!s.ok()) return OpenError(path, s);
  guard->Attach(db);
  ColumnFamilies cfs{db, handles[0], handles[1], handles[2], handles[3], handles[4]};
  std::unique_ptr<LogStore> store(
      new LogStore(options, std::move(memory_env), std::move(guard), cfs, std::move(handles)));

  if (absl::Status st = UpgradeFormatVersion(cfs, path); !st.ok()) return st;
  if (absl::Status st = store->LoadTopics(); !st.ok()) return st;
  if (absl::Status st = store->LoadProducerIds(); !st.ok()) return st;
  return store;
}

LogStore::LogStore(StoreOptions options, std::unique_ptr<rocksdb::Env> memory_env,
                   std::unique_ptr<DiskGuard> guard, ColumnFamilies cfs,
                   std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(std::move(options)),
      memory_env_(std::move(memory_env)),
      guard_(std::move(guard)),
      cfs_(cfs),
      handles_(std::move(handles)),
      offsets_(cfs),
      ledger_(cfs) {
  // In memory there is nothing to make durable (and the in-memory WAL cannot SyncWAL). A WAL
  // that failed a write must not be synced (disk_guard.h).
  syncer_ = std::make_unique<WalSyncer>([db = cfs_.db, in_memory = options_.in_memory,
                                         guard = guard_.get(), observe = options_.on_wal_sync] {
    if (in_memory) return absl::OkStatus();
    if (guard->stopped()) return guard->StoppedError();
    const auto start = std::chrono::steady_clock::now();
    absl::Status status = FromRocks(db->SyncWAL(), "syncing the WAL");
    if (observe) observe(std::chrono::steady_clock::now() - start);
    return status;
  });
}

LogStore::~LogStore() {
  syncer_.reset();  // Completes pending syncs.
  {
    absl::MutexLock lock(&mu_);
    topics_.clear();
  }
  if (!options_.in_memory && !guard_->stopped()) cfs_.db->SyncWAL().PermitUncheckedError();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    cfs_.db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  cfs_.db->Close().PermitUncheckedError();
  delete cfs_.db;
}

absl::Status LogStore::LoadTopics() {
  std::string next_id;
  rocksdb::Status s = cfs_.db->Get(rocksdb::ReadOptions(), cfs_.meta, MetaNextTopicIdKey(), &next_id);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading the next topic id");

  absl::MutexLock lock(&mu_);
  if (s.ok()) next_topic_id_ = DecodeU32(next_id);
  std::unique_ptr<rocksdb::Iterator> it(cfs_.db->NewIterator(rocksdb::ReadOptions(), cfs_.meta));
  const std::string prefix(1, kMetaTopicTag);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string name(it->key().ToStringView().substr(1));
    absl::StatusOr<TopicRecord> record = DecodeTopicRecord(it->value().ToStringView());
    if (!record.ok()) {
      return absl::DataLossError(fmt::format("topic '{}': {}", name, MessageOf(record.status())));
    }
    absl::StatusOr<std::shared_ptr<Topic>> topic = OpenTopic(name, *record);
    if (!topic.ok()) return topic.status();
    topics_[name] = *std::move(topic);
  }
  return FromRocks(it->status(), "loading topics");
}

absl::StatusOr<std::shared_ptr<LogStore::Topic>> LogStore::OpenTopic(std::string name,
                                                                     TopicRecord record) {
  auto topic = std::make_shared<Topic>();
  absl::StatusOr<TopicConfig> config =
      ResolveTopicConfig(options_.topic_defaults, record.overrides);
  if (!config.ok()) return config.status();
  topic->config = *config;
  topic->name = std::move(name);
  absl::StatusOr<std::vector<std::shared_ptr<PartitionLog>>> partitions =
      OpenPartitions(record.topic_id, 0, record.partitions);
  if (!partitions.ok()) return partitions.status();
  topic->partitions = *std::move(partitions);
  topic->record = std::move(record);
  return topic;
}

absl::StatusOr<std::vector<std::shared_ptr<PartitionLog>>> LogStore::OpenPartitions(
    uint32_t topic_id, int32_t from, int32_t to) {
  std::vector<std::shared_ptr<PartitionLog>> partitions;
  for (int32_t p = from; p < to; ++p) {
    auto log = std::make_shared<PartitionLog>(cfs_, topic_id, PartitionId(p),
                                              options_.producer_id_expiration_ms);
    if (absl::Status s = log->Recover(NowMs()); !s.ok()) return s;
    partitions.push_back(std::move(log));
  }
  return partitions;
}

absl::Status LogStore::CreateTopic(std::string_view name, int32_t partitions,
                                   const ConfigOverrides& overrides, bool validate_only) {
  if (absl::Status s = ValidateTopicName(name); !s.ok()) return s;
  if (partitions < 1 || partitions > options_.max_partitions) {
    return MakeError(ErrorCode::kInvalidPartitions,
                     fmt::format("a topic needs between 1 and {} partitions, not {}", options_.max_partitions, partitions));
  }
  if (absl::StatusOr<TopicConfig> c = ResolveTopicConfig(options_.topic_defaults, overrides);
      !c.ok()) {
    return c.status();
  }
  absl::MutexLock lock(&mu_);
  if (topics_.contains(ToAbsl(name))) {
    return MakeError(ErrorCode::kTopicAlreadyExists,
                     fmt::format("topic '{}' already exists", name));
  }
  if (validate_only) return absl::OkStatus();
  TopicRecord record{next_topic_id_, partitions, NowMs(), overrides};
  rocksdb::WriteBatch write;
  write.Put(cfs_.meta, MetaTopicKey(name), EncodeTopicRecord(record));
  write.Put(cfs_.meta, MetaNextTopicIdKey(), EncodeU32(next_topic_id_ + 1));
  if (absl::Status s = FromRocks(cfs_.db->Write(SyncedWrite(), &write), "creating a topic");
      !s.ok()) {
    return s;
  }
  ++next_topic_id_;
  absl::StatusOr<std::shared_ptr<Topic>> topic = OpenTopic(std::string(name), std::move(record));
  if (!topic.ok()) return topic.status();
  topics_[std::string(name)] = *std::move(topic);
  return absl::OkStatus();
}

absl::Status LogStore::CreatePartitions(std::string_view name, int32_t count,
                                        bool validate_only) {
  absl::MutexLock lock(&mu_);
  auto it = topics_.find(ToAbsl(name));
  if (it == topics_.end()) return UnknownTopic(name);
  const int32_t current = it->second->record.partitions;
  if (count <= current) {
    return MakeError(ErrorCode::kInvalidPartitions,
                     count == current
                         ? fmt::format("topic '{}' already has {} partitions", name, current)
                         : fmt::format("topic '{}' has {} partitions: partitions can be added, "
                                       "not removed (asked for {})",
                                       name, current, count));
  }
  if (count > options_.max_partitions) {
    return MakeError(ErrorCode::kInvalidPartitions,
                     fmt::format("a topic has at most {} partitions, not {}",
                                 options_.max_partitions, count));
  }
  if (validate_only) return absl::OkStatus();
  TopicRecord record = it->second->record;
  record.partitions = count;
  // Partitions are never removed, so nothing is stored under the new ones yet.
  absl::StatusOr<std::vector<std::shared_ptr<PartitionLog>>> added =
      OpenPartitions(record.topic_id, current, count);
  if (!added.ok()) return added.status();
  rocksdb::Status s =
      cfs_.db->Put(SyncedWrite(), cfs_.meta, MetaTopicKey(name), EncodeTopicRecord(record));
  if (absl::Status st = FromRocks(s, "adding partitions"); !st.ok()) return st;
  // Calls holding the old Topic finish with its partitions; every later one sees them all.
  auto grown = std::make_shared<Topic>(*it->second);
  grown->record = std::move(record);
  for (auto& log : *added) grown->partitions.push_back(std::move(log));
  it->second = std::move(grown);
  return absl::OkStatus();
}

absl::Status LogStore::DeleteTopic(std::string_view name) {
  if (absl::Status s = guard_->CheckWrite(); !s.ok()) return s;
  rocksdb::WriteBatch write;
  if (absl::Status s = offsets_.AddTopicDeletion(write, name); !s.ok()) return s;
  uint32_t id = 0;
  {
    absl::MutexLock dlq_lock(&dlq_mu_);  // No dead letter counts under the name meanwhile.
    absl::MutexLock lock(&mu_);
    absl::StatusOr<uint32_t> deleted = DeleteTopicLocked(name, write);
    if (!deleted.ok()) return deleted.status();
    id = *deleted;
  }
  if (delete_listener_) delete_listener_(name);
  ReclaimIfShort(id);
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> LogStore::DeleteTopicLocked(std::string_view name,
                                                     rocksdb::WriteBatch& write) {
  auto it = topics_.find(ToAbsl(name));
  if (it == topics_.end()) return UnknownTopic(name);
  const Topic& topic = *it->second;
  for (const auto& partition : topic.partitions) partition->MarkDeleted();
  const uint32_t id = topic.record.topic_id;
  write.Delete(cfs_.meta, MetaTopicKey(name));
  for (char tag : {kMetaPartitionStateTag, kMetaSegmentTag, kMetaCleanerCheckpointTag,
                   kMetaDeadLetterTag, kMetaReplayTag, kMetaProducerTag}) {
    write.DeleteRange(cfs_.meta, MetaTopicRange(tag, id), MetaTopicRangeEnd(tag, id));
  }
  // Counters go too: a topic created again under the name starts from zero. No group's key
  // part starts with 0xff (its length prefix is at most 0x7fff).
  write.DeleteRange(cfs_.meta, MetaDlqCounterPrefix(name), MetaDlqCounterPrefix(name) + '\xff');
  write.DeleteRange(cfs_.log, TopicPrefix(id), TopicPrefixEnd(id));
  write.DeleteRange(cfs_.time_index, TopicPrefix(id), TopicPrefixEnd(id));
  write.DeleteRange(cfs_.events, TopicPrefix(id), TopicPrefixEnd(id));
  if (absl::Status s = FromRocks(cfs_.db->Write(SyncedWrite(), &write), "deleting a topic");
      !s.ok()) {
    return s;
  }
  topics_.erase(it);
  return id;
}

void LogStore::ReclaimIfShort(std::optional<uint32_t> topic_id) {
  if (!guard_->short_of_space()) return;
  rocksdb::FlushOptions flush;
  flush.allow_write_stall = true;
  rocksdb::Status s = cfs_.db->Flush(flush, handles_);
  if (s.ok() && topic_id) {
    rocksdb::CompactRangeOptions options;
    options.exclusive_manual_compaction = false;  // Background compactions go on meanwhile.
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    const std::string begin = TopicPrefix(*topic_id);
    const std::string end = TopicPrefixEnd(*topic_id);
    const rocksdb::Slice begin_key(begin);
    const rocksdb::Slice end_key(end);
    for (rocksdb::ColumnFamilyHandle* cf : {cfs_.log, cfs_.time_index}) {
      if (s.ok()) s = cfs_.db->CompactRange(options, cf, &begin_key, &end_key);
    }
  }
  if (!s.ok() && options_.log_sink) {
    options_.log_sink(true, fmt::format("freeing the space of deleted records: {}", s.ToString()));
  }
}

TopicInfo LogStore::Describe(const Topic& topic) const {
  TopicInfo info{topic.name, topic.record.topic_id, topic.record.created_ms, topic.config,
                 topic.record.overrides, {}};
  for (const auto& partition : topic.partitions) {
    info.partitions.push_back(
        PartitionInfo{partition->partition(), partition->log_start(), partition->log_end()});
  }
  return info;
}

std::vector<TopicInfo> LogStore::ListTopics() const {
  std::vector<std::shared_ptr<const Topic>> topics;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_) topics.push_back(topic);
  }
  std::vector<TopicInfo> infos;
  for (const auto& topic : topics) infos.push_back(Describe(*topic));
  std::sort(infos.begin(), infos.end(),
            [](const TopicInfo& a, const TopicInfo& b) { return a.name < b.name; });
  return infos;
}

std::shared_ptr<const LogStore::Topic> LogStore::FindTopic(std::string_view name) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = topics_.find(ToAbsl(name));
  return it == topics_.end() ? nullptr : it->second;
}

absl::StatusOr<TopicInfo> LogStore::DescribeTopic(std::string_view name) const {
  std::shared_ptr<const Topic> topic = FindTopic(name);
  if (topic == nullptr) return UnknownTopic(name);
  return Describe(*topic);
}

bool LogStore::IsEventStore(std::string_view name) const {
  std::shared_ptr<const Topic> topic = FindTopic(name);
  return topic != nullptr && topic->config.event_store;
}

absl::StatusOr<PartitionLog*> LogStore::FindPartition(
    std::string_view name, PartitionId partition, std::shared_ptr<const Topic>* holder) const {
  *holder = FindTopic(name);
  if (*holder == nullptr) return UnknownTopic(name);
  const auto& partitions = (*holder)->partitions;
  if (partition.value < 0 || static_cast<size_t>(partition.value) >= partitions.size()) {
    return MakeError(ErrorCode::kUnknownTopicOrPartition,
                     fmt::format("topic '{}' has no partition {} (it has {})", name, partition.value, partitions.size()));
  }
  return partitions[static_cast<size_t>(partition.value)].get();
}

absl::Status LogStore::CheckAppendable() { return guard_->CheckAppend(); }

absl::StatusOr<AppendResult> LogStore::Append(std::string_view topic, PartitionId partition,
                                              std::string_view record_set) {
  return AppendWith(topic, partition, record_set,
                    [](rocksdb::WriteBatch&, Offset) { return absl::OkStatus(); });
}

absl::StatusOr<AppendResult> LogStore::AppendWith(std::string_view topic, PartitionId partition,
                                                  std::string_view record_set,
                                                  PartitionLog::AppendAlso also) {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  absl::StatusOr<std::vector<ValidatedBatch>> batches =
      ValidateRecordSet(record_set, holder->config, topic);
  if (!batches.ok()) return batches.status();
  if (absl::Status s = guard_->CheckAppend(); !s.ok()) return s;
  absl::StatusOr<AppendResult> result =
      (*log)->Append(*batches, holder->config, NowMs(), also);
  if (result.ok() && !result->duplicate) {
    int64_t records = 0;
    for (const ValidatedBatch& batch : *batches) records += batch.summary.header.record_count;
    (*log)->traffic()->CountIn(records, static_cast<int64_t>(record_set.size()));
    if (append_listener_) append_listener_(topic, partition);
  }
  return result;
}

absl::StatusOr<ReadResult> LogStore::Read(std::string_view topic, PartitionId partition,
                                          Offset from, size_t max_bytes,
                                          bool min_one_batch) const {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  absl::StatusOr<ReadResult> read = (*log)->Read(from, max_bytes, min_one_batch);
  if (read.ok()) read->traffic = (*log)->traffic();
  return read;
}

absl::StatusOr<BatchLookup> LogStore::ReadBatchesEndingAt(
    std::string_view topic, PartitionId partition, std::span<const int64_t> last_offsets) const {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  return (*log)->ReadBatchesEndingAt(last_offsets);
}

absl::StatusOr<TimestampLookup> LogStore::OffsetForTimestamp(std::string_view topic,
                                                             PartitionId partition,
                                                             TimestampMs timestamp) const {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  return (*log)->OffsetForTimestamp(timestamp);
}

absl::StatusOr<PartitionInfo> LogStore::Offsets(std::string_view topic,
                                                PartitionId partition) const {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  return PartitionInfo{partition, (*log)->log_start(), (*log)->log_end()};
}

absl::Status LogStore::UnknownTopic(std::string_view name) {
  return MakeError(ErrorCode::kUnknownTopicOrPartition,
                   fmt::format("topic '{}' does not exist", name));
}

int64_t LogStore::NowMs() const { return options_.clock ? options_.clock() : SystemNowMs(); }

void LogStore::SyncWal(WalSyncer::Done done) { syncer_->RequestSync(std::move(done)); }

void LogStore::SetDeleteListener(std::function<void(std::string_view topic)> listener) {
  delete_listener_ = std::move(listener);
}

void LogStore::SetAppendListener(
    std::function<void(std::string_view topic, PartitionId)> listener) {
  append_listener_ = std::move(listener);
}

}  // namespace brook::storage
