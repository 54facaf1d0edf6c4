// storage/event_store/revision_runs.h: walks one stream's revision runs (the 'R' entries of
// event_keys.h: one per append, in revision order) with a RocksDB iterator bounded to that
// stream, forwards or backwards.
//
//   RevisionRuns runs(cfs, topic_id, "account-1");
//   for (runs.SeekToRunOf(5); runs.Valid(); runs.Next()) { ... runs.first() ... runs.run() ... }
//
// Thread-safety: one object per thread. It reads the index as it was when the object was
// made (a RocksDB iterator's snapshot): runs appended later are not seen.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/bounded_iterator.h"
#include "storage/column_families.h"
#include "storage/event_store/event_keys.h"

namespace brook::storage::events {

class RevisionRuns {
 public:
  RevisionRuns(const ColumnFamilies& cfs, uint32_t topic_id, std::string_view stream);

  // Positions at the run holding `revision`, else the first run after it.
  void SeekToRunOf(int64_t revision);
  // Positions at the run holding `revision`, else the last run before it.
  void SeekAtOrBefore(int64_t revision);
  bool Valid() const { return it_->Valid(); }
  void Next() { it_->Next(); }
  void Prev() { it_->Prev(); }
  // REQUIRES: Valid().
  int64_t first() const;
  absl::StatusOr<RevisionRun> run() const;  // Errors: DataLoss.
  // The iterator's error, if any (STORAGE_ERROR).
  absl::Status status() const;

 private:
  const uint32_t topic_id_;
  const std::string stream_;
  BoundedIterator it_;
};

}  // namespace brook::storage::events
