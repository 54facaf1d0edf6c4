// LogStore::DeleteRecords (Kafka's DeleteRecords): the log start moves to any offset up to
// the log end, what lies below is unreadable at once and gone from RocksDB, the move survives
// a reopen and a kill -9, retention goes on from the trimmed segments, and bad offsets and
// compact-only topics are refused. Compaction and idempotent producers after a deletion:
// compaction_test.cc and idempotence_test.cc.
#include <doctest/doctest.h>

#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "rocksdb/db.h"
#include "storage/keys.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/batches.h"
#include "tests/support/temp_dir.h"

namespace brook::storage {
namespace {

using ::brook::testing::MakeBatch;
using ::brook::testing::TempDir;
using testing::FakeClock;
using testing::OpenStore;
using testing::ReadAll;
using testing::TotalBytes;

// Topic "t": 10 batches of 3 records of ~100 bytes (offsets 0..29, record i has value
// "r<i>..." and timestamp 1000 + i); segments of 3 batches: [0,8] [9,17] [18,26] [27,29].
struct TenBatches {
  TenBatches() {
    REQUIRE(store->CreateTopic("t", 1, {{"segment.bytes", "1024"}, {"retention.ms", "-1"}}).ok());
    for (int b = 0; b < 10; ++b) {
      std::vector<std::string> values;
      for (int i = 3 * b; i < 3 * b + 3; ++i) values.push_back(Value(i));
      REQUIRE(store->Append("t", PartitionId(0), MakeBatch(values, 1000 + 3 * b)).ok());
    }
    REQUIRE(store->Segments("t", PartitionId(0))->size() == 4);
  }
  static std::string Value(int i) { return "r" + std::to_string(i) + std::string(100, '.'); }
  Offset LogStart() const { return store->Offsets("t", PartitionId(0))->log_start; }

  TempDir dir;
  FakeClock clock;
  std::unique_ptr<LogStore> store = OpenStore(dir.path(), clock);
};

// The last offsets of the batches stored under topic id 1, partition 0, read from RocksDB.
std::vector<int64_t> StoredBatches(const std::string& dir) {
  std::vector<int64_t> last_offsets;
  testing::ChangeDb(dir, [&](const ColumnFamilies& cfs) {
    std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(rocksdb::ReadOptions(), cfs.log));
    const std::string prefix = PartitionPrefix(1, 0);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      last_offsets.push_back(LogKeyLastOffset(it->key().ToStringView()));
    }
  });
  return last_offsets;
}

TEST_CASE_FIXTURE(TenBatches, "records below the offset become unreadable and leave RocksDB") {
  absl::StatusOr<RetentionResult> deleted = store->DeleteRecords("t", PartitionId(0), Offset(10));
  REQUIRE(deleted.ok());
  CHECK(deleted->old_log_start == Offset(0));
  CHECK(deleted->new_log_start == Offset(10));
  CHECK(deleted->segments_deleted == 1);
  CHECK(LogStart() == Offset(10));
  CHECK(store->Offsets("t", PartitionId(0))->log_end == Offset(30));
  CHECK(CodeOf(store->Read("t", PartitionId(0), Offset(9), 1 << 20).status()) ==
        ErrorCode::kOffsetOutOfRange);
  CHECK(CodeOf(store->Read("t", PartitionId(0), Offset(0), 1 << 20).status()) ==
        ErrorCode::kOffsetOutOfRange);
  // A read at the new log start gets the batch holding it, whole (offsets 9..11).
  std::vector<testing::StoredRecord> records = ReadAll(*store, "t");
  REQUIRE(records.size() == 21);
  CHECK(records.front().offset == 9);
  CHECK(records[1].offset == 10);
  CHECK(*records[1].value == Value(10));
  // The segment holding offset 10 starts there now, with 8 of its 9 offsets' bytes.
  std::vector<Segment> segments = *store->Segments("t", PartitionId(0));
  REQUIRE(segments.size() == 3);
  CHECK(segments.front().base_offset == 10);
  CHECK(segments.front().last_offset == 17);
  // The first timestamp lookups land at the log start.
  CHECK(store->OffsetForTimestamp("t", PartitionId(0), TimestampMs(0))->offset == Offset(10));
  CHECK(store->OffsetForTimestamp("t", PartitionId(0), TimestampMs(1015))->offset == Offset(15));

  store.reset();
  CHECK(StoredBatches(dir.path()) == std::vector<int64_t>{11, 14, 17, 20, 23, 26, 29});
}

TEST_CASE_FIXTURE(TenBatches, "the high watermark (-1) deletes every record; appends go on") {
  absl::StatusOr<RetentionResult> deleted =
      store->DeleteRecords("t", PartitionId(0), kHighWatermark);
  REQUIRE(deleted.ok());
  CHECK(deleted->new_log_start == Offset(30));
  CHECK(deleted->segments_deleted == 4);
  CHECK(store->Segments("t", PartitionId(0))->empty());
  absl::StatusOr<ReadResult> at_end = store->Read("t", PartitionId(0), Offset(30), 1 << 20);
  REQUIRE(at_end.ok());
  CHECK(at_end->records.empty());
  CHECK(CodeOf(store->Read("t", PartitionId(0), Offset(29), 1 << 20).status()) ==
        ErrorCode::kOffsetOutOfRange);
  CHECK(store->OffsetForTimestamp("t", PartitionId(0), TimestampMs(0))->offset == Offset(30));

  absl::StatusOr<AppendResult> next = store->Append("t", PartitionId(0), MakeBatch({"next"}));
  REQUIRE(next.ok());
  CHECK(next->base_offset == Offset(30));
  CHECK(next->log_start == Offset(30));
  std::vector<testing::StoredRecord> records = ReadAll(*store, "t");
  REQUIRE(records.size() == 1);
  CHECK(*records[0].value == "next");
  store.reset();
  CHECK(StoredBatches(dir.path()) == std::vector<int64_t>{30});
}

TEST_CASE_FIXTURE(TenBatches, "bad offsets, old offsets, unknown partitions and compact-only topics") {
  absl::StatusOr<RetentionResult> above = store->DeleteRecords("t", PartitionId(0), Offset(31));
  CHECK(CodeOf(above.status()) == ErrorCode::kOffsetOutOfRange);
  CHECK(MessageOf(above.status()) ==
        "cannot delete records before offset 31: the log is [0, 30)");
  CHECK(CodeOf(store->DeleteRecords("t", PartitionId(0), Offset(-2)).status()) ==
        ErrorCode::kOffsetOutOfRange);
  CHECK(CodeOf(store->DeleteRecords("t", PartitionId(1), Offset(0)).status()) ==
        ErrorCode::kUnknownTopicOrPartition);
  CHECK(CodeOf(store->DeleteRecords("nope", PartitionId(0), Offset(0)).status()) ==
        ErrorCode::kUnknownTopicOrPartition);
  CHECK(LogStart() == Offset(0));

  REQUIRE(store->DeleteRecords("t", PartitionId(0), Offset(12)).ok());
  // At or below the log start: nothing changes, the answer is the log start.
  for (int64_t offset : {12, 5, 0}) {
    absl::StatusOr<RetentionResult> again =
        store->DeleteRecords("t", PartitionId(0), Offset(offset));
    REQUIRE(again.ok());
    CHECK(again->old_log_start == Offset(12));
    CHECK(again->new_log_start == Offset(12));
    CHECK(again->bytes_freed == 0);
  }

  // Kafka refuses deleting records of a compact-only topic; compact,delete is fine.
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"}}).ok());
  REQUIRE(store->CreateTopic("cd", 1, {{"cleanup.policy", "compact,delete"}}).ok());
  for (std::string_view topic : {"c", "cd"}) {
    REQUIRE(store->Append(topic, PartitionId(0), MakeBatch({"a", "b"})).ok());
  }
  absl::StatusOr<RetentionResult> compacted =
      store->DeleteRecords("c", PartitionId(0), Offset(1));
  CHECK(CodeOf(compacted.status()) == ErrorCode::kPolicyViolation);
  CHECK(store->Offsets("c", PartitionId(0))->log_start == Offset(0));
  CHECK(store->DeleteRecords("cd", PartitionId(0), Offset(1))->new_log_start == Offset(1));
}

TEST_CASE_FIXTURE(TenBatches, "the new log start survives a reopen and a kill -9") {
  REQUIRE(store->DeleteRecords("t", PartitionId(0), Offset(10)).ok());
  const std::vector<Segment> segments = *store->Segments("t", PartitionId(0));
  TempDir killed;
  std::unique_ptr<LogStore> recovered =
      testing::ReopenAndRecoverCopy(store, dir.path(), killed.path() + "/data", clock);
  for (LogStore* s : {store.get(), recovered.get()}) {
    // Not 9, where the first stored batch starts, nor 0, where the segment started.
    CHECK(s->Offsets("t", PartitionId(0))->log_start == Offset(10));
    CHECK(s->Offsets("t", PartitionId(0))->log_end == Offset(30));
    CHECK(CodeOf(s->Read("t", PartitionId(0), Offset(9), 100).status()) ==
          ErrorCode::kOffsetOutOfRange);
    const std::vector<Segment> after = *s->Segments("t", PartitionId(0));
    REQUIRE(after.size() == segments.size());
    for (size_t i = 0; i < after.size(); ++i) {
      CHECK(after[i].base_offset == segments[i].base_offset);
      CHECK(after[i].bytes == segments[i].bytes);
    }
    CHECK(s->Append("t", PartitionId(0), MakeBatch({"more"}))->base_offset == Offset(30));
  }
}

TEST_CASE_FIXTURE(TenBatches, "everything deleted survives a reopen: the log continues") {
  REQUIRE(store->DeleteRecords("t", PartitionId(0), kHighWatermark).ok());
  store.reset();
  store = OpenStore(dir.path(), clock);
  CHECK(LogStart() == Offset(30));
  CHECK(store->Offsets("t", PartitionId(0))->log_end == Offset(30));
  CHECK(store->Append("t", PartitionId(0), MakeBatch({"more"}))->base_offset == Offset(30));
}

TEST_CASE_FIXTURE(TenBatches, "retention goes on from the trimmed segments and never moves back") {
  REQUIRE(store->DeleteRecords("t", PartitionId(0), Offset(13)).ok());
  const std::vector<Segment> before = *store->Segments("t", PartitionId(0));
  REQUIRE(before.size() == 3);
  // The trimmed segment weighs 5/9 of what it did: retention.bytes counts that.
  const std::string keep = std::to_string(TotalBytes(before) - before[0].bytes);
  REQUIRE(store->AlterTopicConfig("t", {{"retention.bytes", keep}}, {}).ok());
  absl::StatusOr<std::vector<TopicRetention>> removed = store->EnforceRetention(clock.now);
  REQUIRE(removed.ok());
  REQUIRE(removed->size() == 1);
  CHECK(removed->front().result.old_log_start == Offset(13));
  CHECK(removed->front().result.new_log_start == Offset(18));
  CHECK(removed->front().result.segments_deleted == 1);
  CHECK(removed->front().result.bytes_freed == before[0].bytes);
  CHECK(LogStart() == Offset(18));
  testing::CheckSegments(*store, "t");  // Back on batch boundaries.

  // A deletion past the next boundary, then retention by time of everything but the active
  // segment: the log start only moves forward.
  REQUIRE(store->DeleteRecords("t", PartitionId(0), Offset(28)).ok());
  REQUIRE(store->AlterTopicConfig("t", {{"retention.ms", "1"}}, {"retention.bytes"}).ok());
  removed = store->EnforceRetention(clock.now);
  REQUIRE(removed.ok());
  CHECK(removed->empty());  // Only the active segment is left, starting at 28.
  CHECK(LogStart() == Offset(28));
  CHECK(store->Segments("t", PartitionId(0))->front().base_offset == 28);
}

}  // namespace
}  // namespace brook::storage
