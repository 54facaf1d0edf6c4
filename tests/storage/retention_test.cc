// Segments (rolling, recovery) and retention through LogStore.
#include <doctest/doctest.h>

#include "protocol/error_codes.h"
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
using testing::CheckSegments;
using testing::ReadAll;
using testing::TotalBytes;

TEST_CASE("segments roll by bytes and by time, and survive a reopen") {
  TempDir dir;
  FakeClock clock;
  std::vector<Segment> before;
  {
    auto store = OpenStore(dir.path(), clock);
    REQUIRE(store->CreateTopic("t", 1, {{"segment.bytes", "1024"}, {"segment.ms", "1000"}}).ok());
    const std::string value(200, 'v');
    for (int i = 0; i < 10; ++i) {
      REQUIRE(store->Append("t", PartitionId(0), MakeBatch({value})).ok());
    }
    auto by_bytes = store->Segments("t", PartitionId(0));
    REQUIRE(by_bytes.ok());
    // A batch is ~280 bytes: a segment takes batches until it holds >= 1024 bytes.
    CHECK(by_bytes->size() == 3);
    CHECK((*by_bytes)[0].last_offset == 3);
    CHECK((*by_bytes)[0].bytes >= 1024);

    clock.now += 999;
    REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"a"})).ok());
    CHECK(store->Segments("t", PartitionId(0))->size() == 3);
    clock.now += 1;  // The active segment was created 1000 ms ago.
    REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"b", "c"})).ok());
    auto by_time = store->Segments("t", PartitionId(0));
    REQUIRE(by_time->size() == 4);
    CHECK(by_time->back().base_offset == 11);
    CHECK(by_time->back().last_offset == 12);
    CHECK(by_time->back().created_ms == clock.now.load());
    CheckSegments(*store, "t");
    before = *by_time;
  }
  auto store = OpenStore(dir.path(), clock);
  auto after = store->Segments("t", PartitionId(0));
  REQUIRE(after.ok());
  REQUIRE(after->size() == before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    CHECK(after->at(i).base_offset == before[i].base_offset);
    CHECK(after->at(i).last_offset == before[i].last_offset);
    CHECK(after->at(i).bytes == before[i].bytes);
    CHECK(after->at(i).max_timestamp == before[i].max_timestamp);
  }
  CheckSegments(*store, "t");
}

TEST_CASE("data written before segments existed recovers as one segment") {
  TempDir dir;
  FakeClock clock;
  {
    auto store = OpenStore(dir.path(), clock);
    REQUIRE(store->CreateTopic("t", 1, {{"segment.bytes", "1024"}}).ok());
    for (int i = 0; i < 10; ++i) {
      REQUIRE(store->Append("t", PartitionId(0), MakeBatch({std::string(300, 'x')}, 5000 + i)).ok());
    }
  }
  testing::EraseMetaTag(dir.path(), kMetaSegmentTag);
  clock.now += 5;
  auto store = OpenStore(dir.path(), clock);
  auto segments = store->Segments("t", PartitionId(0));
  REQUIRE(segments.ok());
  REQUIRE(segments->size() == 1);
  CHECK(segments->front().base_offset == 0);
  CHECK(segments->front().last_offset == 9);
  CHECK(segments->front().max_timestamp == 5009);
  CHECK(segments->front().created_ms == clock.now.load());
  CheckSegments(*store, "t");
  // Appends continue it (then roll: it is over segment.bytes).
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"y"})).ok());
  CHECK(store->Segments("t", PartitionId(0))->size() == 2);
  CheckSegments(*store, "t");
}

TEST_CASE("retention by bytes deletes whole leading segments, never the active one") {
  TempDir dir;
  FakeClock clock;
  {
    auto store = OpenStore(dir.path(), clock);
    REQUIRE(store->CreateTopic("t", 1, {{"segment.bytes", "1024"},
                                        {"retention.bytes", "2048"},
                                        {"retention.ms", "-1"}}).ok());
    for (int i = 0; i < 40; ++i) {
      REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"v" + std::to_string(i) + std::string(200, '.')})).ok());
    }
    auto segments = *store->Segments("t", PartitionId(0));
    auto removed = store->EnforceRetention(clock.now);
    REQUIRE(removed.ok());
    REQUIRE(removed->size() == 1);
    const RetentionResult& r = removed->front().result;
    CHECK(removed->front().topic == "t");
    CHECK(r.old_log_start == Offset(0));
    auto left = *store->Segments("t", PartitionId(0));
    CHECK(r.segments_deleted == static_cast<int64_t>(segments.size() - left.size()));
    CHECK(r.new_log_start == Offset(left.front().base_offset));
    CHECK(TotalBytes(left) >= 2048);
    CHECK(TotalBytes(left) - left.front().bytes < 2048);
    CHECK(r.bytes_freed == TotalBytes(segments) - TotalBytes(left));
    CheckSegments(*store, "t");

    CHECK(CodeOf(store->Read("t", PartitionId(0), Offset(r.new_log_start.value - 1), 100).status()) ==
          ErrorCode::kOffsetOutOfRange);
    auto records = ReadAll(*store, "t");
    REQUIRE(records.size() == static_cast<size_t>(40 - r.new_log_start.value));
    CHECK(records.front().offset == r.new_log_start.value);
    CHECK(*records.front().value == "v" + std::to_string(r.new_log_start.value) + std::string(200, '.'));
    CHECK(store->EnforceRetention(clock.now)->empty());  // Nothing more to do.

    // retention.bytes = 0 still keeps the active segment.
    REQUIRE(store->AlterTopicConfig("t", {{"retention.bytes", "0"}}, {}).ok());
    REQUIRE(store->EnforceRetention(clock.now).ok());
    CHECK(store->Segments("t", PartitionId(0))->size() == 1);
    CheckSegments(*store, "t");
  }
  auto store = OpenStore(dir.path(), clock);
  auto segments = *store->Segments("t", PartitionId(0));
  REQUIRE(segments.size() == 1);
  CHECK(store->Offsets("t", PartitionId(0))->log_start == Offset(segments.front().base_offset));
  CHECK(store->Offsets("t", PartitionId(0))->log_end == Offset(40));
  auto records = ReadAll(*store, "t");
  CHECK(records.back().offset == 39);
  CHECK(store->Append("t", PartitionId(0), MakeBatch({"next"}))->base_offset == Offset(40));
}

TEST_CASE("retention by time deletes segments whose newest record is older than retention.ms") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("t", 1, {{"segment.ms", "1000"}, {"retention.ms", "5000"}}).ok());
  // Two batches per segment (the clock moves 500 ms per append); record time = clock.
  for (int i = 0; i < 20; ++i) {
    REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"r" + std::to_string(i)}, clock.now)).ok());
    clock.now += 500;
  }
  auto segments = *store->Segments("t", PartitionId(0));
  REQUIRE(segments.size() == 10);
  const int64_t now = clock.now;  // Records are at now-10000 .. now-500.
  auto removed = store->EnforceRetention(now);
  REQUIRE(removed.ok());
  // Segment k holds records at now-10000+1000k and +500: expired while that is < now-5000.
  REQUIRE(removed->size() == 1);
  CHECK(removed->front().result.segments_deleted == 5);
  CHECK(store->Offsets("t", PartitionId(0))->log_start == Offset(10));
  CHECK(ReadAll(*store, "t").front().value == "r10");
  CHECK(store->OffsetForTimestamp("t", PartitionId(0), TimestampMs(0))->offset == Offset(10));

  // Much later: everything but the active segment goes.
  removed = store->EnforceRetention(now + 1'000'000);
  CHECK(removed->front().result.segments_deleted == 4);
  CHECK(store->Offsets("t", PartitionId(0))->log_start == Offset(18));
  CHECK(ReadAll(*store, "t").size() == 2);
  CHECK(store->OffsetForTimestamp("t", PartitionId(0), TimestampMs(0))->offset == Offset(18));
}

TEST_CASE("retention skips compact-only topics and applies to compact,delete ones") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  for (std::string_view policy : {"compact", "compact,delete"}) {
    REQUIRE(store->CreateTopic(policy == "compact" ? "c" : "cd", 1,
                               {{"cleanup.policy", std::string(policy)}, {"segment.bytes", "1024"},
                                {"retention.bytes", "0"}}).ok());
  }
  for (int i = 0; i < 10; ++i) {
    REQUIRE(store->Append("c", PartitionId(0), MakeBatch({std::string(300, 'x')})).ok());
    REQUIRE(store->Append("cd", PartitionId(0), MakeBatch({std::string(300, 'x')})).ok());
  }
  auto removed = store->EnforceRetention(clock.now);
  REQUIRE(removed.ok());
  REQUIRE(removed->size() == 1);
  CHECK(removed->front().topic == "cd");
  CHECK(store->Offsets("c", PartitionId(0))->log_start == Offset(0));
}

TEST_CASE("retention gives the disk space back") {
  TempDir dir;
  FakeClock clock;
  constexpr size_t kSmallMemtable = 256 << 10;
  {
    auto store = OpenStore(dir.path(), clock, kSmallMemtable);
    REQUIRE(store->CreateTopic("big", 1, {{"segment.bytes", "262144"}}).ok());
    const std::string value(4000, 'z');
    for (int i = 0; i < 2000; ++i) {  // ~8 MB.
      REQUIRE(store->Append("big", PartitionId(0), MakeBatch({value + std::to_string(i)})).ok());
    }
  }
  // Reopening flushes what the WAL held: everything is in SST and blob files now.
  auto store = OpenStore(dir.path(), clock, kSmallMemtable);
  const uintmax_t before = testing::DirSize(dir.path());
  CHECK(before > 7'000'000);
  REQUIRE(store->AlterTopicConfig("big", {{"retention.bytes", "524288"}}, {}).ok());
  auto removed = store->EnforceRetention(clock.now);
  REQUIRE(removed.ok());
  REQUIRE(removed->size() == 1);
  CHECK(removed->front().result.bytes_freed > 7'000'000);
  const uintmax_t after = testing::DirSize(dir.path());
  MESSAGE("data dir: " << before << " bytes before retention, " << after << " after");
  CHECK(after < before / 4);
  auto records = ReadAll(*store, "big");
  CHECK(records.back().offset == 1999);
  CHECK(*records.back().value == std::string(4000, 'z') + "1999");
}

}  // namespace
}  // namespace brook::storage
