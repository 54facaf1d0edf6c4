#include "storage/dlq_ledger.h"

#include <algorithm>
#include <memory>
#include <tuple>

#include "protocol/wire.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/rocksdb_status.h"

namespace brook::storage {
namespace {

constexpr int8_t kLedgerValueVersion = 1;

std::string EncodeLocation(const RecordLocation& location) {
  std::string value;
  wire::Writer w(&value);
  w.Int8(kLedgerValueVersion);
  w.String(location.partition.topic);
  w.Int32(location.partition.partition.value);
  w.Int64(location.offset.value);
  return value;
}

absl::StatusOr<RecordLocation> DecodeLocation(std::string_view value) {
  wire::Reader r(value);
  const int8_t version = r.Int8();
  RecordLocation location;
  location.partition.topic = r.String();
  location.partition.partition = PartitionId(r.Int32());
  location.offset = Offset(r.Int64());
  if (version != kLedgerValueVersion || !r.ok() || r.remaining() != 0) {
    return absl::DataLossError("a dead-letter mark is corrupt");
  }
  return location;
}

std::string EncodeCounts(int64_t dead_lettered, int64_t replayed) {
  std::string value;
  wire::Writer w(&value);
  w.Int8(kLedgerValueVersion);
  w.Int64(dead_lettered);
  w.Int64(replayed);
  return value;
}

absl::Status DecodeCounts(std::string_view value, DlqCounters* counters) {
  wire::Reader r(value);
  const int8_t version = r.Int8();
  counters->dead_lettered = r.Int64();
  counters->replayed = r.Int64();
  if (version != kLedgerValueVersion || !r.ok() || r.remaining() != 0) {
    return absl::DataLossError("a dead-letter counter is corrupt");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<RecordLocation>> DlqLedger::FindMark(const std::string& key) const {
  std::string value;
  rocksdb::Status s = cfs_.db->Get(rocksdb::ReadOptions(), cfs_.meta, key, &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading a dead-letter mark");
  absl::StatusOr<RecordLocation> location = DecodeLocation(value);
  if (!location.ok()) return location.status();
  return *location;
}

absl::StatusOr<std::optional<RecordLocation>> DlqLedger::FindDeadLetter(
    uint32_t topic_id, int32_t partition, int64_t offset, std::string_view group) const {
  return FindMark(MetaDeadLetterKey(topic_id, partition, offset, group));
}

absl::StatusOr<std::optional<RecordLocation>> DlqLedger::FindReplay(uint32_t topic_id,
                                                                    int32_t partition,
                                                                    int64_t offset) const {
  return FindMark(MetaReplayKey(topic_id, partition, offset));
}

absl::StatusOr<std::vector<DlqCounters>> DlqLedger::Counters(
    std::optional<std::string_view> topic) const {
  const std::string prefix =
      topic ? MetaDlqCounterPrefix(*topic) : std::string(1, kMetaDlqCounterTag);
  std::unique_ptr<rocksdb::Iterator> it(cfs_.db->NewIterator(rocksdb::ReadOptions(), cfs_.meta));
  std::vector<DlqCounters> result;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    DlqCounters& counters = result.emplace_back();
    wire::Reader key(it->key().ToStringView().substr(1));
    counters.topic = key.String();
    counters.group = key.String();
    if (!key.ok()) return absl::DataLossError("a dead-letter counter key is corrupt");
    if (absl::Status s = DecodeCounts(it->value().ToStringView(), &counters); !s.ok()) return s;
  }
  if (absl::Status s = FromRocks(it->status(), "reading dead-letter counters"); !s.ok()) {
    return s;
  }
  // Keys sort by length-prefixed names; people expect names in order.
  std::sort(result.begin(), result.end(), [](const DlqCounters& a, const DlqCounters& b) {
    return std::tie(a.topic, a.group) < std::tie(b.topic, b.group);
  });
  return result;
}

absl::Status DlqLedger::AddCounts(rocksdb::WriteBatch& write, std::string_view topic,
                                  std::string_view group, int64_t dead_lettered,
                                  int64_t replayed) const {
  const std::string key = MetaDlqCounterKey(topic, group);
  std::string value;
  rocksdb::Status s = cfs_.db->Get(rocksdb::ReadOptions(), cfs_.meta, key, &value);
  DlqCounters counters;
  if (s.ok()) {
    if (absl::Status d = DecodeCounts(value, &counters); !d.ok()) return d;
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading a dead-letter counter");
  }
  return FromRocks(write.Put(cfs_.meta, key,
                             EncodeCounts(counters.dead_lettered + dead_lettered,
                                          counters.replayed + replayed)),
                   "counting a dead letter");
}

absl::Status DlqLedger::AddDeadLetter(rocksdb::WriteBatch& write, uint32_t source_topic_id,
                                      const TopicPartition& source, int64_t source_offset,
                                      std::string_view group, const RecordLocation& copy) const {
  rocksdb::Status s =
      write.Put(cfs_.meta,
                MetaDeadLetterKey(source_topic_id, source.partition.value, source_offset, group),
                EncodeLocation(copy));
  if (!s.ok()) return FromRocks(s, "marking a dead letter");
  return AddCounts(write, source.topic, group, 1, 0);
}

absl::Status DlqLedger::AddReplay(rocksdb::WriteBatch& write, uint32_t topic_id,
                                  int32_t partition, int64_t offset, std::string_view group,
                                  const RecordLocation& replayed_to) const {
  rocksdb::Status s = write.Put(cfs_.meta, MetaReplayKey(topic_id, partition, offset),
                                EncodeLocation(replayed_to));
  if (!s.ok()) return FromRocks(s, "marking a replay");
  return AddCounts(write, replayed_to.partition.topic, group, 0, 1);
}

void DlqLedger::ClearReplay(rocksdb::WriteBatch& write, uint32_t topic_id, int32_t partition,
                            int64_t offset) const {
  write.Delete(cfs_.meta, MetaReplayKey(topic_id, partition, offset)).PermitUncheckedError();
}

}  // namespace brook::storage
