// LogStore's idempotent producers: producer ids, expiry, state (declared in log_store.h).
#include "protocol/error_codes.h"
#include "protocol/wire.h"
#include "rocksdb/db.h"
#include "storage/keys.h"
#include "storage/log_store.h"
#include "storage/rocksdb_status.h"

namespace brook::storage {
namespace {

constexpr int8_t kProducerIdsVersion = 1;

// Meta key 'I': version i8 (=1) | reserved_up_to i64.
std::string EncodeProducerIds(int64_t reserved_up_to) {
  std::string out;
  wire::Writer w(&out);
  w.Int8(kProducerIdsVersion);
  w.Int64(reserved_up_to);
  return out;
}

}  // namespace

absl::Status LogStore::LoadProducerIds() {
  std::string value;
  rocksdb::Status s = cfs_.db->Get(rocksdb::ReadOptions(), cfs_.meta, MetaProducerIdsKey(), &value);
  if (s.IsNotFound()) return absl::OkStatus();  // None handed out yet.
  if (!s.ok()) return FromRocks(s, "reading the producer ids");
  wire::Reader r(value);
  const bool known = r.Int8() == kProducerIdsVersion;
  const int64_t reserved = r.Int64();
  if (!known || !r.ok() || r.remaining() != 0 || reserved < 0) {
    return absl::DataLossError("the producer id record is corrupt or of an unknown version");
  }
  absl::MutexLock lock(&producer_ids_mu_);
  next_producer_id_ = reserved;  // The rest of the last block may have been handed out.
  producer_ids_reserved_ = reserved;
  return absl::OkStatus();
}

absl::StatusOr<ProducerIdAndEpoch> LogStore::InitProducerId() {
  absl::MutexLock lock(&producer_ids_mu_);
  if (next_producer_id_ == producer_ids_reserved_) {
    const int64_t reserved = producer_ids_reserved_ + kProducerIdBlock;
    rocksdb::Status s = cfs_.db->Put(SyncedWrite(), cfs_.meta, MetaProducerIdsKey(),
                                     EncodeProducerIds(reserved));
    if (absl::Status st = FromRocks(s, "reserving producer ids"); !st.ok()) return st;
    producer_ids_reserved_ = reserved;
  }
  return ProducerIdAndEpoch{ProducerId(next_producer_id_++), ProducerEpoch(0)};
}

absl::StatusOr<int64_t> LogStore::ExpireProducers(int64_t now_ms) {
  std::vector<std::shared_ptr<const Topic>> topics;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [name, topic] : topics_) topics.push_back(topic);
  }
  int64_t removed = 0;
  for (const auto& topic : topics) {
    for (const auto& partition : topic->partitions) {
      absl::StatusOr<int64_t> expired = partition->ExpireProducers(now_ms);
      if (CodeOf(expired.status()) == ErrorCode::kUnknownTopicOrPartition) break;  // Deleted.
      if (!expired.ok()) return expired.status();
      removed += *expired;
    }
  }
  return removed;
}

absl::StatusOr<ProducerEntries> LogStore::Producers(std::string_view topic,
                                                    PartitionId partition) const {
  std::shared_ptr<const Topic> holder;
  absl::StatusOr<PartitionLog*> log = FindPartition(topic, partition, &holder);
  if (!log.ok()) return log.status();
  return (*log)->producers();
}

}  // namespace brook::storage
