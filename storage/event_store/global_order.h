// storage/event_store/global_order.h: walks a store's appends in the global order ($all): the
// 'G' entries of event_keys.h, one per append, below the store's visible end.
//
//   GlobalOrder order(cfs, topic_id, visible);
//   for (order.SeekToAppendOf(from); order.Valid(); order.Next()) { order.first(); order.entry(); }
//
// Thread-safety: one object per thread. It reads the index as it was when the object was
// made (a RocksDB iterator's snapshot).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "storage/bounded_iterator.h"
#include "storage/column_families.h"
#include "storage/event_store/event_keys.h"

namespace brook::storage::events {

class GlobalOrder {
 public:
  // Walks the appends whose first position is below `visible`.
  GlobalOrder(const ColumnFamilies& cfs, uint32_t topic_id, int64_t visible);

  // Positions at the append holding `position`, else the first one after it.
  void SeekToAppendOf(int64_t position);
  bool Valid() const { return it_->Valid(); }
  void Next() { it_->Next(); }
  // REQUIRES: Valid().
  int64_t first() const;                      // The append's first position.
  absl::StatusOr<AppendEntry> entry() const;  // Errors: DataLoss.
  // The iterator's error, if any (STORAGE_ERROR).
  absl::Status status() const;

 private:
  const uint32_t topic_id_;
  BoundedIterator it_;
};

}  // namespace brook::storage::events
