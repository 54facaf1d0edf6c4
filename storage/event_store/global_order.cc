#include "storage/event_store/global_order.h"

#include "storage/rocksdb_status.h"

namespace brook::storage::events {

GlobalOrder::GlobalOrder(const ColumnFamilies& cfs, uint32_t topic_id, int64_t visible)
    : topic_id_(topic_id),
      it_(cfs, cfs.events, GlobalKey(topic_id, 0), GlobalKey(topic_id, visible)) {}

void GlobalOrder::SeekToAppendOf(int64_t position) {
  const std::string key = GlobalKey(topic_id_, position);
  it_->SeekForPrev(key);
  if (!it_->Valid() && it_->status().ok()) it_->Seek(key);
}

int64_t GlobalOrder::first() const { return PositionOfKey(it_->key().ToStringView()); }

absl::StatusOr<AppendEntry> GlobalOrder::entry() const {
  return DecodeAppendEntry(it_->value().ToStringView());
}

absl::Status GlobalOrder::status() const { return FromRocks(it_->status(), "reading $all"); }

}  // namespace brook::storage::events
