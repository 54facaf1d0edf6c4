#include "storage/event_store/revision_runs.h"

#include "storage/rocksdb_status.h"

namespace brook::storage::events {

RevisionRuns::RevisionRuns(const ColumnFamilies& cfs, uint32_t topic_id, std::string_view stream)
    : topic_id_(topic_id),
      stream_(stream),
      it_(cfs, cfs.events, RevisionKey(topic_id, stream, 0), RevisionKeyEnd(topic_id, stream)) {}

void RevisionRuns::SeekToRunOf(int64_t revision) {
  SeekAtOrBefore(revision);
  if (!it_->Valid() && it_->status().ok()) it_->Seek(RevisionKey(topic_id_, stream_, revision));
}

void RevisionRuns::SeekAtOrBefore(int64_t revision) {
  it_->SeekForPrev(RevisionKey(topic_id_, stream_, revision));
}

int64_t RevisionRuns::first() const { return RevisionOfKey(it_->key().ToStringView()); }

absl::StatusOr<RevisionRun> RevisionRuns::run() const {
  return DecodeRevisionRun(it_->value().ToStringView());
}

absl::Status RevisionRuns::status() const {
  return FromRocks(it_->status(), "reading a stream's revisions");
}

}  // namespace brook::storage::events
